package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/wabook/wabook/model"
)

type groupStmts struct {
	group, member *sql.Stmt
}

func prepareGroup(ctx context.Context, tx *sql.Tx) (*groupStmts, error) {
	g, err := tx.PrepareContext(ctx, `INSERT INTO "groups" (jid, name, participant_count) VALUES (?, ?, ?)
ON CONFLICT (jid) DO UPDATE SET name = excluded.name, participant_count = excluded.participant_count`)
	if err != nil {
		return nil, fmt.Errorf("store: groups: %w", err)
	}
	m, err := tx.PrepareContext(ctx, `INSERT OR IGNORE INTO group_members (group_jid, member) VALUES (?, ?)`)
	if err != nil {
		g.Close()
		return nil, fmt.Errorf("store: groups: %w", err)
	}
	return &groupStmts{g, m}, nil
}

func (p *groupStmts) Close() { p.group.Close(); p.member.Close() }

// write upserts g and, when members is true, adds its participants (the
// caller has cleared the old ones).
func (p *groupStmts) write(ctx context.Context, g *model.Group, members bool) error {
	jid, err := normGroupJID(g.JID)
	if err != nil {
		return fmt.Errorf("store: group: %w", err)
	}
	count := g.ParticipantCount
	if count == 0 {
		count = len(g.Participants)
	}
	if _, err := p.group.ExecContext(ctx, jid, g.Name, count); err != nil {
		return fmt.Errorf("store: group %s: %w", jid, err)
	}
	if !members {
		return nil
	}
	for _, m := range g.Participants {
		m = normMember(m)
		if m == "" {
			continue
		}
		if _, err := p.member.ExecContext(ctx, jid, m); err != nil {
			return fmt.Errorf("store: group %s member: %w", jid, err)
		}
	}
	return nil
}

// ReplaceGroups makes gs the full set of groups and members, in one
// transaction. ParticipantCount 0 is taken as len(Participants).
func (s *Store) ReplaceGroups(ctx context.Context, gs []model.Group) error {
	return s.withTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM group_members`); err != nil {
			return fmt.Errorf("store: replace groups: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM "groups"`); err != nil {
			return fmt.Errorf("store: replace groups: %w", err)
		}
		p, err := prepareGroup(ctx, tx)
		if err != nil {
			return err
		}
		defer p.Close()
		for i := range gs {
			if err := p.write(ctx, &gs[i], true); err != nil {
				return err
			}
		}
		return nil
	})
}

// UpsertGroup inserts or updates one group. A nil Participants keeps the
// stored members (a rename, say); a non-nil one replaces them.
func (s *Store) UpsertGroup(ctx context.Context, g model.Group) error {
	jid, err := normGroupJID(g.JID)
	if err != nil {
		return fmt.Errorf("store: group: %w", err)
	}
	return s.withTx(ctx, func(tx *sql.Tx) error {
		members := g.Participants != nil
		if members {
			if _, err := tx.ExecContext(ctx, `DELETE FROM group_members WHERE group_jid = ?`, jid); err != nil {
				return fmt.Errorf("store: group %s: %w", jid, err)
			}
		} else if g.ParticipantCount == 0 {
			// Keep the stored count along with the stored members.
			var n sql.NullInt64
			err := tx.QueryRowContext(ctx, `SELECT participant_count FROM "groups" WHERE jid = ?`, jid).Scan(&n)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("store: group %s: %w", jid, err)
			}
			g.ParticipantCount = int(n.Int64)
		}
		p, err := prepareGroup(ctx, tx)
		if err != nil {
			return err
		}
		defer p.Close()
		return p.write(ctx, &g, members)
	})
}

// DeleteGroup removes a group and its members; nothing happens when unknown.
func (s *Store) DeleteGroup(ctx context.Context, jid string) error {
	return s.withTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM "groups" WHERE jid = ?`, strings.TrimSpace(jid)); err != nil {
			return fmt.Errorf("store: delete group %s: %w", jid, err)
		}
		return nil
	})
}

// Groups returns all groups ordered by name, with Participants.
func (s *Store) Groups(ctx context.Context) ([]model.Group, error) {
	var out []model.Group
	err := s.readTx(ctx, func(tx *sql.Tx) error {
		var err error
		if out, err = groupNamesIn(ctx, tx); err != nil {
			return fmt.Errorf("store: groups: %w", err)
		}
		idx := make(map[string]int, len(out))
		for i, g := range out {
			idx[g.JID] = i
		}
		err = eachRow(ctx, tx, func(rows *sql.Rows) error {
			var g, m string
			if err := rows.Scan(&g, &m); err != nil {
				return err
			}
			if i, ok := idx[g]; ok {
				out[i].Participants = append(out[i].Participants, m)
			}
			return nil
		}, `SELECT group_jid, member FROM group_members ORDER BY group_jid, member`)
		if err != nil {
			return fmt.Errorf("store: groups: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
