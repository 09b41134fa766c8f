package serve

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/wabook/wabook/app"
)

// apiError is an error answer: its status and the JSON body every route
// gives, {"code","message"} and, for a validation error, "fields" as
// Periskope words them ({"code":"VALIDATION_ERROR","fields":{"limit":{…}}}).
type apiError struct {
	Status  int                     `json:"-"`
	Code    string                  `json:"code"`
	Message string                  `json:"message"`
	Fields  map[string]fieldProblem `json:"fields,omitempty"`
	// RetryAfter, when set, is sent as Retry-After (seconds).
	RetryAfter int `json:"-"`
	// Allow, when set, is sent as Allow (a 405).
	Allow string `json:"-"`
}

// fieldProblem is what is wrong with one field.
type fieldProblem struct {
	Message string `json:"message"`
	Value   any    `json:"value,omitempty"`
	Max     int    `json:"max,omitempty"`
}

func (e *apiError) Error() string { return e.Message }

func errorf(status int, code, format string, args ...any) *apiError {
	return &apiError{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

func validation(field string, p fieldProblem) *apiError {
	return &apiError{Status: http.StatusUnprocessableEntity, Code: "VALIDATION_ERROR",
		Message: field + ": " + p.Message, Fields: map[string]fieldProblem{field: p}}
}

// writeJSON answers status with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	// Not HTML-escaped: a URL's & stays & (the answer is JSON, never
	// HTML).
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		status = http.StatusInternalServerError
		b.Reset()
		b.WriteString(`{"code":"INTERNAL","message":"could not encode the answer"}` + "\n")
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(b.Bytes())
}

func writeError(w http.ResponseWriter, e *apiError) {
	if e.RetryAfter > 0 {
		w.Header().Set("Retry-After", fmt.Sprint(e.RetryAfter))
	}
	if e.Allow != "" {
		w.Header().Set("Allow", e.Allow)
	}
	writeJSON(w, e.Status, e)
}

// decodeBody reads the request's JSON body into v: one JSON value, at
// most maxBody bytes (413 beyond), the wrong type for a field named.
func decodeBody(r *http.Request, v any) error {
	dec := json.NewDecoder(r.Body)
	err := dec.Decode(v)
	if err == nil {
		if _, extra := dec.Token(); extra != io.EOF {
			err = errors.New("more than one JSON value in the body")
		}
	}
	var tooBig *http.MaxBytesError
	var typeErr *json.UnmarshalTypeError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &tooBig):
		return errorf(http.StatusRequestEntityTooLarge, "BODY_TOO_LARGE", "the request body is over %d bytes", tooBig.Limit)
	case errors.Is(err, io.EOF):
		return errorf(http.StatusBadRequest, "BAD_JSON", "the request needs a JSON body")
	case errors.As(err, &typeErr) && typeErr.Field != "":
		return validation(typeErr.Field, fieldProblem{Message: fmt.Sprintf("must be %s, not %s", jsonType(typeErr.Type.Kind().String()), typeErr.Value)})
	}
	return errorf(http.StatusBadRequest, "BAD_JSON", "the body is not valid JSON: %v", err)
}

func jsonType(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "slice":
		return "an array"
	case "struct", "map":
		return "an object"
	}
	if strings.HasPrefix(kind, "int") || strings.HasPrefix(kind, "float") {
		return "a number"
	}
	return kind
}

// fieldNames maps app.FieldError's fields to the API's words.
var fieldNames = map[string]string{"phone": "contact_id", "name": "contact_name", "labels": "labels", "note": "note"}

// plainError turns what a service call returned into an answer: bad
// input 422 naming the field, an unknown contact 404, a number already in
// the address book 409; anything else is wabook's own failure, 500, its
// detail only in the log.
func (h *Handler) plainError(r *http.Request, err error) *apiError {
	var ae *apiError
	var fe *app.FieldError
	switch {
	case errors.As(err, &ae):
		return ae
	case errors.As(err, &fe):
		field := fieldNames[fe.Field]
		if field == "" {
			field = fe.Field
		}
		return validation(field, fieldProblem{Message: fe.Error()})
	case errors.Is(err, app.ErrNotFound):
		return errorf(http.StatusNotFound, "NOT_FOUND", "%s", strings.TrimPrefix(err.Error(), app.ErrNotFound.Error()+": "))
	case errors.Is(err, app.ErrContactExists):
		return errorf(http.StatusConflict, "CONTACT_EXISTS", "%s", err.Error())
	case errors.Is(err, app.ErrInvalid):
		return errorf(http.StatusUnprocessableEntity, "VALIDATION_ERROR", "%s", err.Error())
	case errors.Is(err, r.Context().Err()) && r.Context().Err() != nil:
		return errorf(http.StatusServiceUnavailable, "CANCELLED", "the request was cancelled")
	}
	h.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", app.PlainError(err))
	// The detail (paths, SQL) stays in the log: the client may be anyone
	// with a token.
	return errorf(http.StatusInternalServerError, "INTERNAL", "wabook could not answer; its log says why")
}
