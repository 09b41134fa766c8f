-- wabook's schema at version 4 (store/migrations.go migrations[:4]), as a wabook
-- released before migration 5 left it; store/fixture_test.go keeps it equal to them.
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
ALTER TABLE contacts ADD COLUMN hidden INTEGER NOT NULL DEFAULT 0;
ALTER TABLE labels ADD COLUMN unsynced INTEGER NOT NULL DEFAULT 0;
ALTER TABLE contacts ADD COLUMN sort_name TEXT GENERATED ALWAYS AS (
	CASE WHEN coalesce(nullif(full_name, ''), nullif(first_name, ''), nullif(push_name, ''),
	                   nullif(business_name, ''), nullif(verified_name, '')) IS NULL
	THEN '1' || coalesce(nullif(phone, ''), jid)
	ELSE '0' || lower(coalesce(nullif(full_name, ''), nullif(first_name, ''), nullif(push_name, ''),
	                           nullif(business_name, ''), nullif(verified_name, '')))
	END) VIRTUAL;
CREATE INDEX contacts_sort ON contacts(hidden, sort_name);
CREATE TABLE wabook_version (version INTEGER NOT NULL);
INSERT INTO wabook_version (version) VALUES (4);
