package model

import "time"

// LastChange is the latest change made through wabook that a contact
// shows: its own (Contact.LastChangedBy, LastChangedAt) or, when newer, a
// rename or recolour of one of its labels, which is recorded on the label
// only (Label.ChangedBy). labels are the labels as read with the contact;
// what is "" for the contact's own change, else the label change
// ("renamed label VIP"). who is "" when no change was made here. The names
// are untrusted: sanitise before showing them.
func LastChange(c *Contact, labels []Label) (who string, at time.Time, what string) {
	if c.LastChangedBy != "" && !c.LastChangedAt.IsZero() {
		who, at = c.LastChangedBy, c.LastChangedAt
	}
	if len(c.Labels) == 0 {
		return who, at, ""
	}
	carried := make(map[string]bool, len(c.Labels))
	for _, n := range c.Labels {
		carried[LabelFold(n)] = true
	}
	for i := range labels {
		l := &labels[i]
		if l.ChangedBy == "" || !l.ChangedAt.After(at) || !carried[LabelFold(l.Name)] {
			continue
		}
		verb := l.Change
		if verb == "" {
			verb = "changed"
		}
		who, at, what = l.ChangedBy, l.ChangedAt, verb+" label "+l.Name
	}
	return who, at, what
}
