package wa

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestSleep(t *testing.T) {
	t.Parallel()
	live := context.Background()
	ended, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tt := range []struct {
		name string
		ctx  context.Context
		d    time.Duration
		want error
	}{
		{"waits", live, time.Millisecond, nil},
		{"nothing to wait", live, 0, nil},
		{"negative", live, -time.Second, nil},
		{"context ended", ended, time.Hour, context.Canceled},
		{"context ended, nothing to wait", ended, 0, context.Canceled},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			err := Sleep(tt.ctx, tt.d)
			if !errors.Is(err, tt.want) {
				t.Errorf("Sleep = %v, want %v", err, tt.want)
			}
			if tt.want == nil && time.Since(start) < tt.d {
				t.Errorf("returned after %s, before %s", time.Since(start), tt.d)
			}
		})
	}
}
