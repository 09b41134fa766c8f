package model

import (
	"testing"
	"time"
)

func TestLastChangeWeighsTheContactsOwnAgainstItsLabels(t *testing.T) {
	t.Parallel()
	t0 := time.UnixMilli(1_780_000_000_000)
	own := Contact{LastChangedBy: "ana", LastChangedAt: t0, Labels: []string{"VIP", "Lead"}}
	labels := []Label{
		{Name: "vip", ChangedBy: "bo", ChangedAt: t0.Add(-time.Minute), Change: LabelRenamed},
		{Name: "Lead", ChangedBy: "cy", ChangedAt: t0.Add(time.Minute), Change: LabelRecoloured},
		{Name: "Other", ChangedBy: "di", ChangedAt: t0.Add(time.Hour), Change: LabelRenamed}, // not carried
	}
	none := Contact{Labels: []string{"VIP"}}
	for _, tc := range []struct {
		name      string
		c         Contact
		labels    []Label
		who, what string
		at        time.Time
	}{
		{"own only", own, nil, "ana", "", t0},
		{"a newer label change", own, labels, "cy", "recoloured label Lead", t0.Add(time.Minute)},
		{"older label changes", own, labels[:1], "ana", "", t0},
		{"no own change", none, labels[:1], "bo", "renamed label vip", t0.Add(-time.Minute)},
		{"nothing", Contact{}, labels, "", "", time.Time{}},
	} {
		who, at, what := LastChange(&tc.c, tc.labels)
		if who != tc.who || !at.Equal(tc.at) || what != tc.what {
			t.Errorf("%s: %q at %v, %q; want %q at %v, %q", tc.name, who, at, what, tc.who, tc.at, tc.what)
		}
	}
}
