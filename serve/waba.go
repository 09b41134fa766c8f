// The WhatsApp Business API's contacts node, POST /v1/contacts, as the
// seeds' document describes it: each number's status (processing, valid,
// invalid, failed) and WhatsApp ID; with blocking "wait" the answer comes
// at the latest at the check deadline, with "no_wait" (the default) at
// once, and what was still processing is POSTed to the webhook when done
// (webhook.go).
package serve

import (
	"cmp"
	"net/http"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/model"
)

// wabaContact is the Business API's answer for one number: wa_id only
// when valid.
type wabaContact struct {
	Input  string `json:"input"`
	Status string `json:"status"`
	WAID   string `json:"wa_id,omitempty"`
}

// wabaContacts is the contacts node's answer, and its callbacks' body.
type wabaContacts struct {
	Contacts []wabaContact `json:"contacts"`
}

func wabaOf(input string, r model.CheckResult) wabaContact {
	c := wabaContact{Input: input, Status: r.Status}
	if r.Status == model.CheckValid {
		c.WAID = waID(r)
	}
	return c
}

// POST /v1/contacts {blocking, contacts, force_check}
func (c *checker) wabaContacts(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Blocking   *string  `json:"blocking"`
		Contacts   []string `json:"contacts"`
		ForceCheck bool     `json:"force_check"`
	}
	if err := decodeBody(r, &in); err != nil {
		return err
	}
	wait := false
	if in.Blocking != nil {
		switch *in.Blocking {
		case "wait":
			wait = true
		case "no_wait":
		default:
			return validation("blocking", fieldProblem{Message: `must be "wait" or "no_wait" (the default)`, Value: *in.Blocking})
		}
	}
	switch {
	case len(in.Contacts) == 0:
		return validation("contacts", fieldProblem{Message: `is required: a non-empty list of phone numbers in any dialable format, e.g. "+1 (631) 555-1004"`})
	case len(in.Contacts) > MaxCheckNumbers:
		return tooMany("contacts", len(in.Contacts))
	}
	if tok := tokenOf(r.Context()); in.ForceCheck && tok.ReadOnly {
		return errorf(http.StatusForbidden, "READ_ONLY_TOKEN",
			"token %q is read-only: force_check checks every number again and spends the check budget (wabook token add NAME makes a full token)", tok.Name)
	}
	// Numbers without + take the account's country code.
	region := cmp.Or(model.RegionOfPhone(c.h.svc.Account().Phone), c.h.svc.Region())
	nums := c.parseNumbers(in.Contacts, region)
	if err := c.run(r, nums, in.ForceCheck, wait); err != nil {
		return err
	}
	out := wabaContacts{Contacts: make([]wabaContact, len(nums))}
	var later []app.CallbackNumber
	for i, n := range nums {
		out.Contacts[i] = wabaOf(n.input, n.res)
		if n.waiting() && !wait {
			later = append(later, app.CallbackNumber{Input: n.input, Phone: n.res.Phone, Job: n.job})
		}
	}
	if len(later) > 0 {
		if c.webhook == "" {
			c.h.log.Warn("serve: a no_wait check left numbers processing and no webhook is set (serve --webhook, or webhook_url): their answers are not POSTed; asking again joins their check",
				"processing", len(later))
		} else if _, err := c.h.svc.AddCallback(r.Context(), later); err != nil {
			return err
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
