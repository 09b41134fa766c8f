// The APIs' own description, GET /openapi.json (OpenAPI 3.0).
package serve

import (
	_ "embed"
	"net/http"
)

// openAPISpec describes every route the Handler registers: their
// parameters, bodies and answers, errors and headers included, in the
// seeds' field names. openapi_test.go holds it to the Handler both ways
// (every route described, every description served) and validates real
// answers against it, so a route added without its description fails
// the tests.
//
//go:embed openapi.json
var openAPISpec []byte

// GET /openapi.json needs no token (access public): the document is the
// same for every wabook (this package's openapi.json) and holds nothing of
// the account or its contacts, and the tools that read it (API explorers,
// client generators) fetch it before anyone has entered a token. It still
// goes through the rate limit, by the client's address, and the x-phone
// check, as every request does.
func (h *Handler) openAPI(w http.ResponseWriter, _ *http.Request) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Write(openAPISpec)
	return nil
}
