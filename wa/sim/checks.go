package sim

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/wabook/wabook/model"
	"github.com/wabook/wabook/wa"
)

type checkBatch struct {
	at time.Time
	n  int
}

// CheckNumbers answers which of the "+digits" numbers exist: contacts,
// registered numbers, rewrite keys (answered with the rewritten number) and
// every other number the world shows (groups, blocklist, labels). Failing
// numbers get a per-number error. Every number is answered. More than 20
// numbers is an error; when the world has a rate limit, a call that would
// take the numbers answered within the last per_s seconds over the limit
// gets wa.ErrRateLimited and is not counted. With throttle_lies_after N,
// a call that would take them over N instead gets "not on WhatsApp" for
// every number (as throttled servers have been reported to answer), and is
// not counted either. Every call and number is recorded (CheckCalls,
// CheckedNumbers), refused ones too.
func (b *Backend) CheckNumbers(ctx context.Context, phones []string) ([]wa.CheckAnswer, error) {
	b.mu.Lock()
	if !b.closed {
		b.checkCalls++
		b.checked = append(b.checked, phones...)
	}
	b.mu.Unlock()
	if len(phones) > MaxCheckBatch {
		return nil, fmt.Errorf("sim: at most %d numbers per query, got %d", MaxCheckBatch, len(phones))
	}
	if err := b.begin(ctx, "CheckNumbers", map[string]any{"phones": phones}); err != nil {
		return nil, err
	}
	if b.rate != nil {
		now := b.now()
		from := now.Add(-time.Duration(b.rate.PerS) * time.Second)
		sum, keep := 0, b.window[:0]
		for _, c := range b.window {
			if c.at.After(from) {
				keep = append(keep, c)
				sum += c.n
			}
		}
		b.window = keep
		if b.liesAfter > 0 && sum+len(phones) > b.liesAfter {
			b.mu.Unlock()
			return b.lie(ctx, phones)
		}
		if sum+len(phones) > b.rate.Numbers {
			b.mu.Unlock()
			return nil, wa.ErrRateLimited
		}
		b.window = append(b.window, checkBatch{at: now, n: len(phones)})
	}
	answers := make([]wa.CheckAnswer, len(phones))
	for i, q := range phones {
		answers[i] = b.answerLocked(q)
	}
	b.mu.Unlock()
	if b.latency > 0 {
		if err := b.sleep(ctx, b.latency); err != nil {
			return nil, err
		}
	}
	return answers, nil
}

// lie answers "not on WhatsApp" for every number, after the usual latency.
func (b *Backend) lie(ctx context.Context, phones []string) ([]wa.CheckAnswer, error) {
	answers := make([]wa.CheckAnswer, len(phones))
	for i, q := range phones {
		answers[i] = wa.CheckAnswer{Query: q, Answered: true}
		if p, ok := ParsePhone(q); ok {
			answers[i].JID = model.JIDFromPhone(p)
		}
	}
	if b.latency > 0 {
		if err := b.sleep(ctx, b.latency); err != nil {
			return nil, err
		}
	}
	return answers, nil
}

func (b *Backend) answerLocked(q string) wa.CheckAnswer {
	a := wa.CheckAnswer{Query: q, Answered: true}
	p, ok := ParsePhone(q)
	if !ok {
		a.Err = fmt.Errorf("sim: %q: %s", q, notPhone)
		return a
	}
	if reason, bad := b.failing[p]; bad {
		if reason == "" {
			reason = "check failed"
		}
		a.Err = errors.New(reason)
		return a
	}
	answer := p
	if r, ok := b.rewrites[p]; ok {
		answer = r
	} else if !b.exists[p] {
		a.JID = model.JIDFromPhone(p)
		return a
	}
	a.Exists = true
	a.JID = model.JIDFromPhone(answer)
	if i, ok := b.byPhone[answer]; ok {
		a.VerifiedName = b.contacts[i].BusinessName
		a.LID = b.contacts[i].LID
	}
	return a
}

// CheckCalls is how many times CheckNumbers was called.
func (b *Backend) CheckCalls() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.checkCalls
}

// CheckedNumbers is every number ever passed to CheckNumbers, in order.
func (b *Backend) CheckedNumbers() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.checked)
}
