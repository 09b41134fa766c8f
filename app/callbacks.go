// The Business API's no_wait callbacks (wabook serve): the numbers a check
// answered "processing", kept in the mirror (store/callbacks.go) until
// each has its answer and the webhook took them, so a restart loses none.
package app

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// CallbackNumber is one number a callback waits for: the input as the
// client sent it, its E.164 form and the check job that answers it.
type CallbackNumber struct {
	Input string `json:"input"`
	Phone string `json:"phone"`
	Job   int64  `json:"job"`
}

// Callback is a callback not yet delivered.
type Callback struct {
	ID      int64
	Created time.Time
	Numbers []CallbackNumber
	// Body is the payload, nil until every number is answered; once set
	// it is what every attempt sends.
	Body      []byte
	Attempts  int
	NextAt    time.Time // no attempt before
	LastError string
}

// AddCallback keeps a callback for numbers and tells the front ends (and
// the sender, which follows the check notices) that the queue moved.
func (s *Service) AddCallback(ctx context.Context, numbers []CallbackNumber) (int64, error) {
	if len(numbers) == 0 {
		return 0, fmt.Errorf("%w: a callback without numbers", ErrInvalid)
	}
	if err := s.writable(ctx); err != nil {
		return 0, err
	}
	js, err := json.Marshal(numbers)
	if err != nil {
		return 0, fmt.Errorf("callback: %w", err)
	}
	id, err := s.store.AddCallback(ctx, string(js))
	if err != nil {
		return 0, err
	}
	s.notify(ChecksChanged)
	return id, nil
}

// Callbacks lists the callbacks not yet delivered, oldest first.
func (s *Service) Callbacks(ctx context.Context) ([]Callback, error) {
	rows, err := s.store.Callbacks(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Callback, 0, len(rows))
	for _, r := range rows {
		c := Callback{ID: r.ID, Created: r.Created, Attempts: r.Attempts, NextAt: r.NextAt, LastError: r.LastError}
		if err := json.Unmarshal([]byte(r.Numbers), &c.Numbers); err != nil {
			return nil, fmt.Errorf("callback %d: its numbers: %w", r.ID, err)
		}
		if r.Body != "" {
			c.Body = []byte(r.Body)
		}
		out = append(out, c)
	}
	return out, nil
}

// SetCallbackBody fixes a callback's payload once its numbers are
// answered.
func (s *Service) SetCallbackBody(ctx context.Context, id int64, body []byte) error {
	if err := s.writable(ctx); err != nil {
		return err
	}
	return s.store.SetCallbackBody(ctx, id, string(body))
}

// CallbackFailed records a failed delivery and when to try again.
func (s *Service) CallbackFailed(ctx context.Context, id int64, next time.Time, why string) error {
	if err := s.writable(ctx); err != nil {
		return err
	}
	return s.store.CallbackFailed(ctx, id, next, why)
}

// DeleteCallback forgets a callback (delivered, or given up).
func (s *Service) DeleteCallback(ctx context.Context, id int64) error {
	if err := s.writable(ctx); err != nil {
		return err
	}
	return s.store.DeleteCallback(ctx, id)
}
