package wm

import (
	"context"
	"testing"
	"time"
)

// FetchFrom names the URL the revision was read from, so the cache (and
// doctor) says where a version came from: the page, or its /sw.js when the
// page has none.
func TestVersionFetchFromNamesWhereItRead(t *testing.T) {
	t.Parallel()

	sw := fixture(t, "version_sw.js")
	for _, tt := range []struct {
		name, page, want, from string
	}{
		{"page", fixture(t, "version_page.html"), "2.3000.1099999999", "/"},
		{"sw.js", "<html>no revision here</html>", "2.3000.1088888888", "/sw.js"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			site := newVersionSite(t, tt.page, sw)
			got, from, err := VersionFetcher{Timeout: 5 * time.Second}.FetchFrom(context.Background(), site.URL+"/")
			if err != nil || got != tt.want || from != site.URL+tt.from {
				t.Errorf("FetchFrom = %q from %q, %v; want %q from %q", got, from, err, tt.want, site.URL+tt.from)
			}
		})
	}
}
