// WAHA's contacts API (base /api), its read routes, as the seeds' WAHA
// document describes them. WAHA serves several sessions; wabook has one
// account, which it answers for as the session "default".
package serve

import (
	"net/http"
	"strings"

	"github.com/wabook/wabook/model"
)

func (h *Handler) wahaRoutes() {
	h.route("GET /api/contacts/all", reads, h.waha(h.wahaAll))
	h.route("GET /api/contacts", reads, h.waha(h.wahaContact))
	h.route("GET /api/contacts/about", reads, h.waha(h.wahaAbout))
	h.route("GET /api/contacts/profile-picture", reads, h.waha(h.wahaPicture))
	h.route("POST /api/contacts/block", writes, h.waha(h.wahaBlock(true)))
	h.route("POST /api/contacts/unblock", writes, h.waha(h.wahaBlock(false)))
}

// waha checks the session a WAHA request names in its query.
func (h *Handler) waha(fn func(w http.ResponseWriter, r *http.Request) error) func(w http.ResponseWriter, r *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := checkSession(r.URL.Query().Get("session")); err != nil {
			return err
		}
		return fn(w, r)
	}
}

// checkSession refuses a WAHA session other than "default" (or none).
func checkSession(s string) error {
	if s != "" && s != "default" {
		return errorf(http.StatusNotFound, "SESSION_NOT_FOUND", "session %q does not exist: this wabook serves one account, as the session \"default\"", s)
	}
	return nil
}

// wahaContact is WAHA's contact shape.
type wahaContactJSON struct {
	ID          string `json:"id"`
	Number      string `json:"number"`
	Name        string `json:"name"`
	PushName    string `json:"pushname"`
	ShortName   string `json:"shortName"`
	IsMe        bool   `json:"isMe"`
	IsGroup     bool   `json:"isGroup"`
	IsWAContact bool   `json:"isWAContact"`
	IsMyContact bool   `json:"isMyContact"`
	IsBlocked   bool   `json:"isBlocked"`
}

func (h *Handler) wahaJSON(c *model.Contact) wahaContactJSON {
	short := c.FirstName
	if short == "" {
		short = c.DisplayName()
	}
	return wahaContactJSON{
		ID:          model.ContactID(c.JID),
		Number:      strings.TrimPrefix(c.Phone, "+"),
		Name:        c.DisplayName(),
		PushName:    c.PushName,
		ShortName:   short,
		IsMe:        c.JID == h.svc.Account().JID,
		IsWAContact: c.IsWAContact,
		IsMyContact: c.IsMyContact,
		IsBlocked:   c.IsBlocked,
	}
}

// GET /api/contacts/all[?limit&offset]: every contact in name order
// (hidden ones left out).
func (h *Handler) wahaAll(w http.ResponseWriter, r *http.Request) error {
	p, err := h.readPage(r, 0, 0)
	if err != nil {
		return err
	}
	out := make([]wahaContactJSON, len(p.contacts))
	for i, c := range p.contacts {
		out[i] = h.wahaJSON(c)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (h *Handler) wahaFind(r *http.Request) (model.Contact, error) {
	return h.findContact(r, "contactId", r.URL.Query().Get("contactId"))
}

// GET /api/contacts?contactId=
func (h *Handler) wahaContact(w http.ResponseWriter, r *http.Request) error {
	c, err := h.wahaFind(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, h.wahaJSON(&c))
	return nil
}

// GET /api/contacts/about?contactId=: the about text as the mirror last
// read it ("" when none, or not read yet).
func (h *Handler) wahaAbout(w http.ResponseWriter, r *http.Request) error {
	c, err := h.wahaFind(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]string{"about": c.About})
	return nil
}

// GET /api/contacts/profile-picture?contactId=: the picture's URL as the
// mirror last read it, null when there is none.
func (h *Handler) wahaPicture(w http.ResponseWriter, r *http.Request) error {
	c, err := h.wahaFind(r)
	if err != nil {
		return err
	}
	var url *string
	if c.AvatarURL != "" {
		url = &c.AvatarURL
	}
	writeJSON(w, http.StatusOK, map[string]*string{"profilePictureURL": url})
	return nil
}
