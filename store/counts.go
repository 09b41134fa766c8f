package store

// countsMigration is migration 13: how many contacts are shown (hidden 0)
// and hidden (1), and how many contacts carry each label, kept by
// triggers, so the contact list's first page says how many there are, and
// lists the labels with their counts, without counting a million rows
// (firstpage.go, labels.go). Its own file: migrations.go would pass 500
// lines.
const countsMigration = `
CREATE TABLE contact_counts (
	hidden INTEGER PRIMARY KEY,
	n      INTEGER NOT NULL
);
INSERT INTO contact_counts (hidden, n) VALUES
	(0, (SELECT count(*) FROM contacts WHERE hidden = 0)),
	(1, (SELECT count(*) FROM contacts WHERE hidden <> 0));
CREATE TRIGGER contact_counts_insert AFTER INSERT ON contacts BEGIN
	UPDATE contact_counts SET n = n + 1 WHERE hidden = (NEW.hidden <> 0);
END;
CREATE TRIGGER contact_counts_delete AFTER DELETE ON contacts BEGIN
	UPDATE contact_counts SET n = n - 1 WHERE hidden = (OLD.hidden <> 0);
END;
CREATE TRIGGER contact_counts_hide AFTER UPDATE OF hidden ON contacts
WHEN (OLD.hidden <> 0) IS NOT (NEW.hidden <> 0) BEGIN
	UPDATE contact_counts SET n = n - 1 WHERE hidden = (OLD.hidden <> 0);
	UPDATE contact_counts SET n = n + 1 WHERE hidden = (NEW.hidden <> 0);
END;

CREATE TABLE label_counts (
	label_id INTEGER PRIMARY KEY,
	n        INTEGER NOT NULL
);
INSERT INTO label_counts (label_id, n)
	SELECT l.id, (SELECT count(*) FROM contact_labels cl WHERE cl.label_id = l.id) FROM labels l;
CREATE TRIGGER label_counts_label_insert AFTER INSERT ON labels BEGIN
	INSERT INTO label_counts (label_id, n) VALUES (NEW.id, 0);
END;
CREATE TRIGGER label_counts_label_delete AFTER DELETE ON labels BEGIN
	DELETE FROM label_counts WHERE label_id = OLD.id;
END;
CREATE TRIGGER label_counts_insert AFTER INSERT ON contact_labels BEGIN
	UPDATE label_counts SET n = n + 1 WHERE label_id = NEW.label_id;
END;
CREATE TRIGGER label_counts_delete AFTER DELETE ON contact_labels BEGIN
	UPDATE label_counts SET n = n - 1 WHERE label_id = OLD.label_id;
END;
CREATE TRIGGER label_counts_update AFTER UPDATE OF label_id ON contact_labels
WHEN OLD.label_id IS NOT NEW.label_id BEGIN
	UPDATE label_counts SET n = n - 1 WHERE label_id = OLD.label_id;
	UPDATE label_counts SET n = n + 1 WHERE label_id = NEW.label_id;
END;
`
