package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"
)

// versionTable holds the one row with our schema version. whatsmeow keeps
// its own (whatsmeow_version) in the same file.
const versionTable = "wabook_version"

// migrations[i] brings the schema from version i to i+1. Append only; never
// edit a released migration.
var migrations = []string{
	// 1: the mirror, the check cache and queue, settings.
	`
CREATE TABLE contacts (
	jid           TEXT PRIMARY KEY,
	phone         TEXT NOT NULL DEFAULT '',
	lid           TEXT NOT NULL DEFAULT '',
	full_name     TEXT NOT NULL DEFAULT '',
	first_name    TEXT NOT NULL DEFAULT '',
	push_name     TEXT NOT NULL DEFAULT '',
	business_name TEXT NOT NULL DEFAULT '',
	verified_name TEXT NOT NULL DEFAULT '',
	about         TEXT NOT NULL DEFAULT '',
	avatar_id     TEXT NOT NULL DEFAULT '',
	avatar_url    TEXT NOT NULL DEFAULT '',
	is_my_contact INTEGER NOT NULL DEFAULT 0,
	is_wa_contact INTEGER NOT NULL DEFAULT 0,
	is_blocked    INTEGER NOT NULL DEFAULT 0,
	is_internal   INTEGER NOT NULL DEFAULT 0,
	is_business   INTEGER NOT NULL DEFAULT 0,
	note          TEXT NOT NULL DEFAULT '',
	source        TEXT NOT NULL DEFAULT 'whatsapp',
	created_at    INTEGER NOT NULL DEFAULT 0,
	updated_at    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX contacts_lid ON contacts(lid);
CREATE INDEX contacts_phone ON contacts(phone);

CREATE TABLE labels (
	id          INTEGER PRIMARY KEY,
	name        TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (name <> ''),
	fold        TEXT NOT NULL UNIQUE, -- case-folded name (Unicode), for lookups
	color       INTEGER NOT NULL DEFAULT 0 CHECK (color BETWEEN 0 AND 19),
	wa_label_id TEXT UNIQUE,
	"order"     INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE contact_labels (
	contact_jid TEXT NOT NULL REFERENCES contacts(jid) ON DELETE CASCADE ON UPDATE CASCADE,
	label_id    INTEGER NOT NULL REFERENCES labels(id) ON DELETE CASCADE,
	PRIMARY KEY (contact_jid, label_id)
) WITHOUT ROWID;
CREATE INDEX contact_labels_label ON contact_labels(label_id);

CREATE TABLE "groups" (
	jid               TEXT PRIMARY KEY,
	name              TEXT NOT NULL DEFAULT '',
	participant_count INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE group_members (
	group_jid TEXT NOT NULL REFERENCES "groups"(jid) ON DELETE CASCADE,
	member    TEXT NOT NULL,
	PRIMARY KEY (group_jid, member)
) WITHOUT ROWID;
CREATE INDEX group_members_member ON group_members(member);

CREATE TABLE checks (
	phone         TEXT PRIMARY KEY,
	status        TEXT NOT NULL,
	wa_id         TEXT NOT NULL DEFAULT '',
	jid           TEXT NOT NULL DEFAULT '',
	verified_name TEXT NOT NULL DEFAULT '',
	error         TEXT NOT NULL DEFAULT '',
	checked_at    INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE check_jobs (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	created_at INTEGER NOT NULL DEFAULT 0,
	state      TEXT NOT NULL DEFAULT 'queued',
	options    TEXT NOT NULL DEFAULT '{}'
);

CREATE TABLE check_items (
	job_id     INTEGER NOT NULL REFERENCES check_jobs(id) ON DELETE CASCADE,
	seq        INTEGER NOT NULL,
	input      TEXT NOT NULL DEFAULT '',
	phone      TEXT NOT NULL DEFAULT '',
	status     TEXT NOT NULL DEFAULT 'processing',
	batch      INTEGER NOT NULL DEFAULT 0,
	wa_id      TEXT NOT NULL DEFAULT '',
	error      TEXT NOT NULL DEFAULT '',
	checked_at INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (job_id, seq)
);
CREATE INDEX check_items_status ON check_items(job_id, status);

CREATE TABLE settings (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL DEFAULT ''
);
`,
	// 2: the persistent check queue: job account and error, full results on
	// items, batches (in flight or done), the daily check budget.
	`
ALTER TABLE check_jobs ADD COLUMN account TEXT NOT NULL DEFAULT '';
ALTER TABLE check_jobs ADD COLUMN error TEXT NOT NULL DEFAULT '';
CREATE INDEX check_jobs_state ON check_jobs(state, id);

ALTER TABLE check_items ADD COLUMN jid TEXT NOT NULL DEFAULT '';
ALTER TABLE check_items ADD COLUMN verified_name TEXT NOT NULL DEFAULT '';
ALTER TABLE check_items ADD COLUMN cached INTEGER NOT NULL DEFAULT 0;
DROP INDEX check_items_status; -- check_items_pending covers it
CREATE INDEX check_items_pending ON check_items(job_id, status, batch, seq);
CREATE INDEX check_items_phone ON check_items(job_id, phone, status, batch);
CREATE INDEX check_items_batch ON check_items(batch, phone);

-- A batch is one CheckNumbers call. It is written "inflight" (and its items
-- get its id) before the call and "done" in the transaction that stores the
-- answers, so a batch left in flight by a crash is sent again and a done one
-- never is.
CREATE TABLE check_batches (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	job_id     INTEGER NOT NULL REFERENCES check_jobs(id) ON DELETE CASCADE,
	state      TEXT NOT NULL DEFAULT 'inflight', -- inflight | done | abandoned
	phones     TEXT NOT NULL DEFAULT '',         -- E.164 numbers, space separated, in send order
	attempts   INTEGER NOT NULL DEFAULT 0,
	created_at INTEGER NOT NULL DEFAULT 0,
	sent_at_ms INTEGER NOT NULL DEFAULT 0,
	done_at    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX check_batches_state ON check_batches(state, job_id);

-- Numbers sent to WhatsApp per account and local day (YYYY-MM-DD).
CREATE TABLE check_budget (
	account TEXT NOT NULL,
	day     TEXT NOT NULL,
	used    INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (account, day)
) WITHOUT ROWID;
`,
	// 3: contact editing and WhatsApp Business label sync: WhatsApp contacts
	// the user hid (they cannot be deleted), and labels with a local change
	// that did not reach WhatsApp.
	`
ALTER TABLE contacts ADD COLUMN hidden INTEGER NOT NULL DEFAULT 0;
ALTER TABLE labels ADD COLUMN unsynced INTEGER NOT NULL DEFAULT 0;
`,
	// 4: the contact list's first page without reading every contact: the
	// display name (model.Contact.DisplayName's order) lowered, named
	// contacts first, those known by number only after them.
	`
ALTER TABLE contacts ADD COLUMN sort_name TEXT GENERATED ALWAYS AS (
	CASE WHEN coalesce(nullif(full_name, ''), nullif(first_name, ''), nullif(push_name, ''),
	                   nullif(business_name, ''), nullif(verified_name, '')) IS NULL
	THEN '1' || coalesce(nullif(phone, ''), jid)
	ELSE '0' || lower(coalesce(nullif(full_name, ''), nullif(first_name, ''), nullif(push_name, ''),
	                           nullif(business_name, ''), nullif(verified_name, '')))
	END) VIRTUAL;
CREATE INDEX contacts_sort ON contacts(hidden, sort_name);
`,
	// 5: first contact with a real account: the WhatsApp Web versions seen
	// (fetched, connected, refused with 405), how often WhatsApp left a
	// queued number out of an answer that answered others, and the chat form
	// (phone-number JID or LID) WhatsApp used for each label association.
	`
CREATE TABLE wa_versions (
	version      TEXT PRIMARY KEY,            -- "2.3000.1031080782"
	source       TEXT NOT NULL DEFAULT '',    -- where it came from (a URL, "flag", "config")
	fetched_at   INTEGER NOT NULL DEFAULT 0,  -- unix seconds; 0 when never fetched
	connected_at INTEGER NOT NULL DEFAULT 0,  -- last time WhatsApp accepted it
	refused_at   INTEGER NOT NULL DEFAULT 0   -- WhatsApp refused it as outdated: never used again
);
ALTER TABLE check_items ADD COLUMN unanswered INTEGER NOT NULL DEFAULT 0;
ALTER TABLE contact_labels ADD COLUMN wa_chat TEXT NOT NULL DEFAULT '';
`,
	// 6: change counters, bumped by every transaction of the store that
	// changes the mirror (data: contacts, labels, groups) or the check
	// queue (checks), so that a process can tell another one changed them
	// and ignore whatsmeow's writes to its own tables in the same file.
	`
CREATE TABLE change_seq (
	id     INTEGER PRIMARY KEY CHECK (id = 1),
	data   INTEGER NOT NULL DEFAULT 0,
	checks INTEGER NOT NULL DEFAULT 0
);
INSERT INTO change_seq (id) VALUES (1);
`,
	// 7: the outbox: changes WhatsApp must learn (Business labels, their
	// chats, the blocklist), written in the same transaction as the mirror
	// change and sent in order by whichever process holds the connection.
	// wa_label_id is chosen by that process before its first send, so a
	// repeated send reuses it. contacts.block_pending is the block (1) or
	// unblock (-1) queued and not yet confirmed; is_blocked stays what
	// WhatsApp confirmed.
	`
CREATE TABLE outbox (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	kind        TEXT NOT NULL,                    -- label_edit, label_delete, label_chat, block
	label_id    INTEGER NOT NULL DEFAULT 0,       -- the local label (label_edit, label_chat)
	wa_label_id TEXT NOT NULL DEFAULT '',         -- WhatsApp's label id, once chosen
	name        TEXT NOT NULL DEFAULT '',         -- label name (label_edit, label_delete)
	color       INTEGER NOT NULL DEFAULT 0,
	jid         TEXT NOT NULL DEFAULT '',         -- the contact (label_chat, block)
	chat        TEXT NOT NULL DEFAULT '',         -- the chat form to send (label_chat)
	flag        INTEGER NOT NULL DEFAULT 0,       -- assigned (label_chat), blocked (block)
	state       TEXT NOT NULL DEFAULT 'pending',  -- pending, done, failed
	attempts    INTEGER NOT NULL DEFAULT 0,
	error       TEXT NOT NULL DEFAULT '',         -- why the last attempt failed
	queued_by   INTEGER NOT NULL DEFAULT 0,       -- pid of the process that queued it
	queued_at   INTEGER NOT NULL DEFAULT 0,       -- unix seconds
	tried_at    INTEGER NOT NULL DEFAULT 0,
	done_at     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX outbox_state ON outbox(state, id);
ALTER TABLE contacts ADD COLUMN block_pending INTEGER NOT NULL DEFAULT 0;
ALTER TABLE change_seq ADD COLUMN outbox INTEGER NOT NULL DEFAULT 0;
`,
	// 8: a change log kept by SQLite itself, so that a process can read
	// only what changed since it last looked (app.Service.ChangesSince):
	// contact_changes holds one row per contact JID whose row, labels,
	// groups or check result changed, with the sequence number of its
	// latest change. Logging a JID again gives it a new seq
	// (AUTOINCREMENT never reuses one, and writers are serialised, so a
	// reader that saw up to S sees every later change above S), and the
	// table holds at most one row per JID ever stored: deletions stay, for
	// readers to learn of them. Labels and groups are small tables: their
	// changes only bump a counter and readers read them whole (labels also
	// count assignments, for their contact counts).
	`
CREATE TABLE contact_changes (
	seq INTEGER PRIMARY KEY AUTOINCREMENT,
	jid TEXT NOT NULL UNIQUE
);
ALTER TABLE change_seq ADD COLUMN labels INTEGER NOT NULL DEFAULT 0;
ALTER TABLE change_seq ADD COLUMN "groups" INTEGER NOT NULL DEFAULT 0;

-- Logging a JID goes through this view: a trigger's own INSERT OR REPLACE
-- would take the conflict policy of the statement that fired it (an
-- upsert's is ABORT), so the old row is deleted first instead.
CREATE VIEW contact_changed AS SELECT jid FROM contact_changes;
CREATE TRIGGER contact_changed_log INSTEAD OF INSERT ON contact_changed BEGIN
	DELETE FROM contact_changes WHERE jid = NEW.jid;
	INSERT INTO contact_changes (jid) VALUES (NEW.jid);
END;

CREATE TRIGGER contacts_log_insert AFTER INSERT ON contacts BEGIN
	INSERT INTO contact_changed (jid) VALUES (NEW.jid);
END;
CREATE TRIGGER contacts_log_update AFTER UPDATE ON contacts BEGIN
	INSERT INTO contact_changed (jid) VALUES (NEW.jid);
	INSERT INTO contact_changed (jid) SELECT OLD.jid WHERE OLD.jid IS NOT NEW.jid;
END;
CREATE TRIGGER contacts_log_delete AFTER DELETE ON contacts BEGIN
	INSERT INTO contact_changed (jid) VALUES (OLD.jid);
END;

CREATE TRIGGER contact_labels_log_insert AFTER INSERT ON contact_labels BEGIN
	INSERT INTO contact_changed (jid) VALUES (NEW.contact_jid);
	UPDATE change_seq SET labels = labels + 1;
END;
CREATE TRIGGER contact_labels_log_update AFTER UPDATE OF contact_jid, label_id ON contact_labels BEGIN
	INSERT INTO contact_changed (jid) VALUES (NEW.contact_jid);
	INSERT INTO contact_changed (jid) SELECT OLD.contact_jid WHERE OLD.contact_jid IS NOT NEW.contact_jid;
	UPDATE change_seq SET labels = labels + 1;
END;
CREATE TRIGGER contact_labels_log_delete AFTER DELETE ON contact_labels BEGIN
	INSERT INTO contact_changed (jid) VALUES (OLD.contact_jid);
	UPDATE change_seq SET labels = labels + 1;
END;

-- A contact's labels are names in label order: a rename (even of case
-- only, hence BINARY) or a move changes every contact carrying it.
CREATE TRIGGER labels_log_insert AFTER INSERT ON labels BEGIN
	UPDATE change_seq SET labels = labels + 1;
END;
CREATE TRIGGER labels_log_update AFTER UPDATE ON labels BEGIN
	UPDATE change_seq SET labels = labels + 1;
	INSERT INTO contact_changed (jid)
		SELECT contact_jid FROM contact_labels
		WHERE label_id = NEW.id AND (OLD.name IS NOT NEW.name COLLATE BINARY OR OLD."order" IS NOT NEW."order");
END;
CREATE TRIGGER labels_log_delete AFTER DELETE ON labels BEGIN
	UPDATE change_seq SET labels = labels + 1;
END;

CREATE TRIGGER groups_log_insert AFTER INSERT ON "groups" BEGIN
	UPDATE change_seq SET "groups" = "groups" + 1;
END;
CREATE TRIGGER groups_log_update AFTER UPDATE ON "groups" BEGIN
	UPDATE change_seq SET "groups" = "groups" + 1;
END;
CREATE TRIGGER groups_log_delete AFTER DELETE ON "groups" BEGIN
	UPDATE change_seq SET "groups" = "groups" + 1;
END;

-- Members are phone JIDs or LIDs (contacts.lid); members who are no
-- contact are not shown, so nothing is logged for them.
CREATE TRIGGER group_members_log_insert AFTER INSERT ON group_members BEGIN
	INSERT INTO contact_changed (jid) SELECT jid FROM contacts WHERE jid = NEW.member;
	INSERT INTO contact_changed (jid) SELECT jid FROM contacts WHERE lid = NEW.member AND NEW.member <> '';
END;
CREATE TRIGGER group_members_log_delete AFTER DELETE ON group_members BEGIN
	INSERT INTO contact_changed (jid) SELECT jid FROM contacts WHERE jid = OLD.member;
	INSERT INTO contact_changed (jid) SELECT jid FROM contacts WHERE lid = OLD.member AND OLD.member <> '';
END;

-- The list shows a contact's check result (joined by phone); a re-check
-- with the same result changes nothing shown.
CREATE TRIGGER checks_log_insert AFTER INSERT ON checks BEGIN
	INSERT INTO contact_changed (jid) SELECT jid FROM contacts WHERE phone = NEW.phone AND NEW.phone <> '';
END;
CREATE TRIGGER checks_log_update AFTER UPDATE OF phone, status ON checks
WHEN OLD.phone IS NOT NEW.phone OR OLD.status IS NOT NEW.status BEGIN
	INSERT INTO contact_changed (jid) SELECT jid FROM contacts WHERE phone = NEW.phone AND NEW.phone <> '';
	INSERT INTO contact_changed (jid) SELECT jid FROM contacts WHERE phone = OLD.phone AND OLD.phone <> '';
END;
CREATE TRIGGER checks_log_delete AFTER DELETE ON checks BEGIN
	INSERT INTO contact_changed (jid) SELECT jid FROM contacts WHERE phone = OLD.phone AND OLD.phone <> '';
END;
`,
	// 9: a WhatsApp label id chosen here stays unconfirmed (wa_pending)
	// until WhatsApp took the label's creation, so chats are not put on a
	// label WhatsApp never created; an outbox change a newer one of the
	// same target replaced is "superseded" (a state, no column needed).
	`
ALTER TABLE labels ADD COLUMN wa_pending INTEGER NOT NULL DEFAULT 0;
`,
	// 10: the tokens of wabook serve's HTTP APIs (store/tokens.go): only a
	// hash of each secret is kept, so a copy of the database gives no
	// access; the name is what the access log and the audit say.
	`
CREATE TABLE tokens (
	name      TEXT PRIMARY KEY,
	hash      BLOB NOT NULL UNIQUE,
	read_only INTEGER NOT NULL DEFAULT 0,
	created   INTEGER NOT NULL
);
`,
	// 11: wabook serve's synchronous checks find a number's latest answer
	// or the job it waits in by phone across jobs (store/checklookup.go);
	// the Business API's no_wait callbacks wait here until their numbers
	// are answered and the webhook took them, so a restart loses none
	// (store/callbacks.go). numbers is JSON ([{input, phone, job}]); body
	// is the payload, fixed once every number has its answer.
	`
CREATE INDEX check_items_by_phone ON check_items(phone, status, checked_at);
CREATE TABLE webhook_callbacks (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	created_at INTEGER NOT NULL,
	numbers    TEXT NOT NULL,
	body       TEXT NOT NULL DEFAULT '',
	attempts   INTEGER NOT NULL DEFAULT 0,
	next_at_ms INTEGER NOT NULL DEFAULT 0,
	last_error TEXT NOT NULL DEFAULT ''
);
`,
	// 12: who made a contact's last change through wabook and when
	// (store/changedby.go): a serve token's name, an SSH operator's key
	// comment or the local OS user; written in the change's own
	// transaction. Changes WhatsApp's sync brings do not touch them.
	`
ALTER TABLE contacts ADD COLUMN changed_by TEXT NOT NULL DEFAULT '';
ALTER TABLE contacts ADD COLUMN changed_by_ms INTEGER NOT NULL DEFAULT 0;
`,
	// 13: how many contacts are shown and hidden, and how many carry each
	// label, kept by triggers (counts.go).
	countsMigration,
	// 14: who renamed or recoloured a label, when and which (changedby.go).
	labelChangedMigration,
	// 15: the contact list's orders along indexes (contactpage.go).
	orderIndexesMigration,
}

// SchemaVersion is the schema version this binary writes.
func SchemaVersion() int { return len(migrations) }

// schemaVersion reads the stored version; 0 when the table does not exist.
func schemaVersion(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}) (int, error) {
	var n int
	err := q.QueryRowContext(ctx,
		`SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?`, versionTable).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	if n == 0 {
		return 0, nil
	}
	var v sql.NullInt64
	err = q.QueryRowContext(ctx, `SELECT max(version) FROM `+versionTable).Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return int(v.Int64), nil
}

// migrate applies the missing migrations, each in its own transaction. The
// version is re-read inside the transaction so two processes opening the same
// file at once do not both apply a step.
func (s *Store) migrate(ctx context.Context) error {
	return s.migrateTo(ctx, len(migrations))
}

// migrateTo applies the migrations up to version target (at most
// len(migrations)); a database past target is left as it is unless it is
// past len(migrations), which is ErrNewerSchema.
func (s *Store) migrateTo(ctx context.Context, target int) error {
	latest := len(migrations)
	v, err := schemaVersion(ctx, s.db)
	if err != nil {
		return err
	}
	if v > latest {
		return fmt.Errorf("%w: database is at version %d, this wabook knows up to %d", ErrNewerSchema, v, latest)
	}
	for v < target {
		err := s.rawTx(ctx, func(tx *sql.Tx) error {
			cur, err := schemaVersion(ctx, tx)
			if err != nil {
				return err
			}
			if cur > latest {
				return fmt.Errorf("%w: database is at version %d, this wabook knows up to %d", ErrNewerSchema, cur, latest)
			}
			if cur != v {
				v = cur // someone else migrated meanwhile
				return nil
			}
			if _, err := tx.ExecContext(ctx,
				`CREATE TABLE IF NOT EXISTS `+versionTable+` (version INTEGER NOT NULL)`); err != nil {
				return fmt.Errorf("create version table: %w", err)
			}
			if _, err := tx.ExecContext(ctx, migrations[v]); err != nil {
				return fmt.Errorf("migration %d: %w", v+1, err)
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM `+versionTable); err != nil {
				return fmt.Errorf("migration %d: %w", v+1, err)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO `+versionTable+` (version) VALUES (?)`, v+1); err != nil {
				return fmt.Errorf("migration %d: %w", v+1, err)
			}
			v++
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// CreateAtSchema builds a database at an older schema, as an older wabook
// left it (the first version migrations and nothing else); for tests of
// upgrades and of doctor. path must not exist yet; version runs from 1 to
// SchemaVersion(). The database is closed when it returns.
func CreateAtSchema(ctx context.Context, path string, version int) (err error) {
	if version < 1 || version > len(migrations) {
		return fmt.Errorf("store: schema version %d: this wabook knows 1 to %d", version, len(migrations))
	}
	if _, err := os.Lstat(path); err == nil {
		return fmt.Errorf("store: %s: %w", path, fs.ErrExist)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("store: %w", err)
	}
	if _, err := prepareFile(path); err != nil {
		return err
	}
	db, err := sql.Open("sqlite", dsn(path))
	if err != nil {
		return fmt.Errorf("store: open %s: %w", path, err)
	}
	s := &Store{db: db, path: path, clock: time.Now}
	defer func() {
		if cerr := db.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("store: close %s: %w", path, cerr)
		}
		if err != nil { // leave nothing half made behind
			for _, f := range []string{path, path + "-wal", path + "-shm"} {
				os.Remove(f)
			}
		}
	}()
	if err := s.migrateTo(ctx, version); err != nil {
		return fmt.Errorf("store: %s: %w", path, err)
	}
	return nil
}
