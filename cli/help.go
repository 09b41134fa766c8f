package cli

import (
	"flag"
	"slices"
	"strings"
)

// HelpRequest is what a command asked for --help (or -h) returns: its help
// text, which main prints on stdout with exit status 0.
type HelpRequest struct{ Text string }

func (h *HelpRequest) Error() string { return h.Text }

// doc is a command's help: what it does, how it is called, and examples.
// Its flags come from the command's own flag set, so they cannot drift
// from what the command takes.
type doc struct {
	summary  string   // one line: what it does (wabook help lists it)
	usage    []string // synopses, without "wabook "
	long     string   // more, in paragraphs separated by blank lines
	examples []string // command lines; a line starting with # explains the next
	// actions are the doc keys of a command's sub-actions ("label add"),
	// whose usage and flags the command's help lists too.
	actions []string
	// flags builds an action's flag set, for its parent's help.
	flags func() *flag.FlagSet
	// wait: the command queues changes for WhatsApp and takes --wait
	// (Queueing removes it before the command parses its flags).
	wait bool
}

// Order lists the commands as wabook help shows them.
var Order = []string{
	"contacts", "show", "add", "edit", "rm", "block", "unblock", "import", "export",
	"labels", "label", "check", "checks", "pair", "sync", "logout", "outbox", "backup", "doctor",
	"serve", "token",
}

const waitUsage = "wait for WhatsApp's answer to what the command queued, and exit 1 if WhatsApp refused any of it (default: off: return once it is queued, or sent when this wabook holds the connection)"

const idHelp = "ID is a phone number in any format (+1 415 555 0101, (415) 555-0101 with --region), a WhatsApp JID (14155550101@s.whatsapp.net, a LID) or <digits>@c.us."

var docs = map[string]doc{
	"serve": {
		summary: "serve the HTTP APIs (Periskope's, WAHA's) to scripts and other tools, holding the connection",
		usage:   []string{"serve [--http ADDR|off] [--ssh ADDR|off] [--webhook URL] [--tls-cert F --tls-key F] [--insecure-http] [--authorized-keys F]"},
		long: "A long-running wabook that holds the WhatsApp connection, runs the check queue and the outbox, and serves " +
			"Periskope's contacts API under /v1 and WAHA's under /api, so their clients work by changing only the base URL; " +
			"the WhatsApp Business API's contacts node (POST /v1/contacts) checks numbers, and with --webhook its no_wait " +
			"results are POSTed there once answered. Every check goes through the one check queue (cache, pace, budget). " +
			"Every request needs a token (wabook token add): Authorization: Bearer TOKEN or X-Api-Key: TOKEN. " +
			"It refuses to start while another wabook holds the connection.\n\n" +
			"An address other than loopback needs --tls-cert and --tls-key, or --insecure-http. SIGTERM or ctrl+c stop it: " +
			"it stops accepting, finishes the requests in flight (at most 10 s) and lets the connection go. SIGHUP reopens " +
			"the log file (for logrotate) without stopping. wabook --demo serve makes a one-off token and prints it.",
		examples: []string{
			"wabook --demo serve",
			"wabook serve --http 0.0.0.0:8443 --tls-cert cert.pem --tls-key key.pem --ssh off",
			"wabook serve --webhook https://hooks.example.com/wabook",
		},
	},
	"token": {
		summary:  "the tokens of wabook serve's HTTP APIs: add (prints it once), ls, rm",
		usage:    []string{"token add NAME [--read-only]", "token ls [--json]", "token rm NAME"},
		long:     "wabook keeps only a hash of each token. A change counts at once in a running wabook serve.",
		actions:  []string{"token add", "token ls", "token rm"},
		examples: []string{"TOKEN=$(wabook token add ci)", "wabook token add dashboard --read-only", "wabook token ls --json", "wabook token rm ci"},
	},
	"token add": {
		summary:  "make a token and print it (this once)",
		usage:    []string{"token add NAME [--read-only]"},
		examples: []string{"wabook token add ci"},
		flags:    func() *flag.FlagSet { fs, _, _ := tokenFlags("add"); return fs },
	},
	"token ls": {
		summary:  "list the tokens (names, access, when made; never the secrets)",
		usage:    []string{"token ls [--json]"},
		examples: []string{"wabook token ls"},
		flags:    func() *flag.FlagSet { fs, _, _ := tokenFlags("ls"); return fs },
	},
	"token rm": {
		summary:  "remove a token (refused from the next request on)",
		usage:    []string{"token rm NAME"},
		examples: []string{"wabook token rm ci"},
		flags:    func() *flag.FlagSet { fs, _, _ := tokenFlags("rm"); return fs },
	},
	"contacts": {
		summary: "list contacts (all, or those matching a search)",
		usage:   []string{"contacts [--query Q] [--format table|json|csv|vcf]"},
		long: "Prints the address book, sorted by name as the UI sorts it. --query takes the UI's search language: " +
			`words match name, phone, push name, business name and note; label:vip, -label:vip, group:team, label:"new customer", ` +
			"is:blocked|business|internal|saved|unsaved|hidden, check:valid|invalid|unchecked. " +
			"Hidden contacts (wabook rm --hide) are listed only by a query with is:hidden.",
		examples: []string{
			"wabook contacts",
			"wabook contacts --query 'label:vip -is:blocked' --format json",
			"wabook contacts --format csv > contacts.csv",
		},
	},
	"show": {
		summary:  "show one contact",
		usage:    []string{"show ID [--json]"},
		long:     idHelp,
		examples: []string{"wabook show '+1 (415) 555-0101'", "wabook show 14155550101@c.us --json"},
	},
	"add": {
		summary: "add a contact (prints it as JSON)",
		usage:   []string{`add --name NAME --phone PHONE [--labels "A, B"] [--internal] [--note TEXT]`},
		long: "Adds a contact to the address book (not to the phone's contacts). Labels that do not exist are created; " +
			"with label sync on, WhatsApp learns the labels through the outbox.",
		examples: []string{
			`wabook add --name "Ada Lovelace" --phone "+44 20 7946 0958" --labels "VIP, new customer"`,
			`wabook --region FR add --name Zoé --phone "06 12 34 56 78" --note "met at the fair"`,
		},
		wait: true,
	},
	"edit": {
		summary: "change a contact (prints it as JSON)",
		usage:   []string{`edit ID [--name NAME] [--labels "A, B"] [--add-labels ..] [--remove-labels ..] [--note TEXT] [--internal=true|false]`},
		long:    idHelp + " Only the flags given change anything.",
		examples: []string{
			`wabook edit +14155550101 --add-labels VIP --remove-labels "new customer"`,
			`wabook edit 14155550101 --labels "" --internal=false`,
		},
		wait: true,
	},
	"rm": {
		summary: "delete a contact added here or imported (one from WhatsApp: hide it)",
		usage:   []string{"rm ID [--hide | --unhide]"},
		long: idHelp + " A contact that comes from WhatsApp comes back with the next sync, so it can only be hidden " +
			"(--hide) and shown again (--unhide).",
		examples: []string{"wabook rm +14155550177", "wabook rm --hide 14155550101"},
	},
	"block": {
		summary:  "block a contact on WhatsApp (through the outbox)",
		usage:    []string{"block ID"},
		long:     idHelp + " The block is queued in the outbox and sent by the wabook holding the connection (or this one).",
		examples: []string{"wabook block '+1 415 555 0104'", "wabook block 14155550104 --wait"},
		wait:     true,
	},
	"unblock": {
		summary:  "unblock a contact on WhatsApp (through the outbox)",
		usage:    []string{"unblock ID"},
		long:     idHelp + " The unblock is queued in the outbox and sent by the wabook holding the connection (or this one).",
		examples: []string{"wabook unblock 14155550104"},
		wait:     true,
	},
	"import": {
		summary: "import contacts from a CSV or vCard file (shows the plan first)",
		usage:   []string{`import FILE [--labels "A, B"] [--dry-run]`},
		long: "FILE is a .csv (a header naming a phone column; name, labels and note columns are used when present) " +
			"or a .vcf; - reads standard input. wabook prints how many contacts are new, updated and invalid (with reasons), " +
			"then imports everything in one transaction.",
		examples: []string{
			"wabook import --dry-run leads.csv",
			`wabook import cards.vcf --labels "fair 2026"`,
		},
		wait: true,
	},
	"export": {
		summary: "export contacts as CSV, vCard or JSON",
		usage:   []string{"export [--format csv|vcf|json] [--vcard-version 3.0|4.0] [--query Q] [-o FILE [--force]]"},
		long: "Writes every contact, or those matching --query (the UI's search language), to standard output or to FILE. " +
			"The format comes from --format, else from FILE's extension (.csv, .vcf, .json), else CSV; a --format that " +
			"contradicts the extension is refused. FILE is written whole or not at all, readable only by you, and an " +
			"existing FILE is kept unless --force.",
		examples: []string{
			"wabook export -o contacts.vcf",
			"wabook export --query label:vip --format json",
			"wabook export --format csv -o backup.csv --force",
		},
	},
	"backup": {
		summary: "copy the database, consistently, while wabook runs",
		usage:   []string{"backup FILE [--force]"},
		long: "Writes a consistent copy of the database to FILE (SQLite's VACUUM INTO), safe while another wabook " +
			"writes to it; the copy is readable only by you and is a database itself: use it with --db FILE. " +
			"An existing FILE is kept unless --force; a link at FILE is replaced, never followed.",
		examples: []string{
			"wabook backup ~/wabook-$(date +%F).db",
			"# replace last night's copy",
			"wabook backup --force /srv/backup/wabook.db",
		},
	},
	"labels": {
		summary:  "list labels with colour, contacts, WhatsApp id and sync state",
		usage:    []string{"labels [--json]"},
		examples: []string{"wabook labels", "wabook labels --json"},
	},
	"label": {
		summary: "add, rename, delete, recolour a label; label sync with WhatsApp",
		usage: []string{"label add NAME [--color C]", "label rename OLD NEW [--merge]", "label rm NAME",
			"label color NAME C", "label sync [on|off|retry]"},
		long: "Label names ignore case. A colour C is a number 0–19 or its name: salmon, sky, yellow, lilac, slate, " +
			"teal, pink, mustard, indigo, lime, cyan, rose, sage, red, blue, green, orange, ice, periwinkle, purple " +
			"(WhatsApp Business's palette). With label sync on, each change is queued for WhatsApp in the outbox.",
		actions: []string{"label add", "label rename", "label rm", "label color", "label sync"},
		examples: []string{
			"wabook label add Temp --color sky",
			"wabook label color Supplier lime",
			`wabook label rename "New customer" Customer --merge`,
			"wabook label sync on",
		},
		wait: true,
	},
	"label add": {
		summary:  "create a label",
		usage:    []string{"label add NAME [--color C]"},
		examples: []string{`wabook label add "New customer" --color 0`, "wabook label add Temp --color sky"},
		flags:    labelActionFlags("add"),
		wait:     true,
	},
	"label rename": {
		summary:  "rename a label (--merge: into an existing one)",
		usage:    []string{"label rename OLD NEW [--merge]"},
		examples: []string{`wabook label rename Lead "Hot lead"`, "wabook label rename Lead VIP --merge"},
		flags:    labelActionFlags("rename"),
		wait:     true,
	},
	"label rm": {
		summary:  "delete a label (its contacts lose it)",
		usage:    []string{"label rm NAME"},
		examples: []string{"wabook label rm Temp"},
		flags:    labelActionFlags("rm"),
		wait:     true,
	},
	"label color": {
		summary:  "set a label's colour: 0–19 or a name",
		usage:    []string{"label color NAME C"},
		examples: []string{"wabook label color Supplier lime", "wabook label color VIP 13"},
		flags:    labelActionFlags("color"),
		wait:     true,
	},
	"label sync": {
		summary: "label sync with WhatsApp: show it, turn it on or off, send failed labels again",
		usage:   []string{"label sync [on|off|retry]"},
		long: "With sync on, wabook's labels are WhatsApp Business labels: created, renamed, recoloured, deleted and " +
			"put on chats on WhatsApp too. Turning it on queues what WhatsApp has not seen.",
		examples: []string{"wabook label sync", "wabook label sync on", "wabook label sync retry"},
		flags:    labelActionFlags("sync"),
		wait:     true,
	},
	"check": {
		summary: "check which numbers are on WhatsApp",
		usage:   []string{"check [--force] [--no-wait] [--max-age AGE] [--region CC] [--json|--csv] NUMBER... | -"},
		long: "Queues a check job in the persistent queue and, unless --no-wait, waits for it and prints one result per " +
			"input, in input order: valid (on WhatsApp), invalid (WhatsApp said it is not), or failed (WhatsApp gave an " +
			"error, did not answer, or the job was cancelled). - reads the numbers from standard input: one per line " +
			"or separated by commas, semicolons or tabs; a CSV with a phone column or a vCard works too. Answers younger " +
			"than --max-age come from the cache. The queue paces itself and keeps a daily budget (see wabook checks).\n\n" +
			"Exit status: 0 when every number has an answer, 3 when some ended failed (the results are printed all " +
			"the same, and stderr says how many; wabook checks retry JOB asks them again), 1 on an error, 2 on a usage " +
			"mistake.",
		examples: []string{
			`wabook check "+1 (415) 555-0157" 14155550157`,
			"cut -d, -f2 leads.csv | wabook check --json -",
			"wabook --region FR check --no-wait --max-age 12h '06 12 34 56 78'",
		},
	},
	"checks": {
		summary: "list check jobs, the queue's state, the daily budget and the canary",
		usage:   []string{"checks [--json]", "checks retry JOB [--no-wait] [--json|--csv]"},
		long: "Each job shows how many numbers are valid, invalid, failed (WhatsApp errors) and cancelled (never sent " +
			"because the job was cancelled), still processing, and from the cache, with an estimate of the time left.",
		actions:  []string{"checks retry"},
		examples: []string{"wabook checks", "wabook checks --json", "wabook checks retry 3"},
	},
	"checks retry": {
		summary: "check a job's failed and cancelled numbers again",
		usage:   []string{"checks retry JOB [--no-wait] [--json|--csv]"},
		long: "Queues the job's failed and cancelled numbers again and, like check, waits for them and prints the " +
			"job's results (exit 3 when some failed again).",
		examples: []string{"wabook checks retry 3", "wabook checks retry 3 --no-wait --json"},
		flags:    func() *flag.FlagSet { return newChecksRetryFlags().fs },
	},
	"pair": {
		summary: "link wabook to a WhatsApp account (QR code, or a code for the phone)",
		usage:   []string{"pair [--code +PHONE] [--timeout D]"},
		long: "Prints a QR code to scan with WhatsApp (Settings → Linked devices → Link a device); with --code, a code " +
			"to type on the phone instead. Returns once the account is paired and mirrored.",
		examples: []string{"wabook pair", "wabook pair --code +14155550100"},
	},
	"sync": {
		summary: "mirror the account now and print a summary",
		usage:   []string{"sync [--full] [--timeout D]"},
		long:    "Connects, mirrors contacts, groups, labels and the blocklist, prints a one-line summary and sends what the outbox holds.",
		examples: []string{
			"wabook sync",
			"# fetch contacts and labels again from scratch, for up to five minutes",
			"wabook sync --full --timeout 5m",
		},
	},
	"logout": {
		summary:  "end the WhatsApp session (the address book stays)",
		usage:    []string{"logout"},
		examples: []string{"wabook logout"},
	},
	"outbox": {
		summary: "changes waiting for WhatsApp (labels, blocks); retry or drop failed ones",
		usage:   []string{"outbox [--json] [--all]", "outbox retry ID|--all", "outbox drop ID"},
		long: "Labels (with label sync on) and blocks reach WhatsApp through the outbox, in order. The wabook holding " +
			"the connection sends it; when none does, the command that queued a change sends it itself.",
		actions:  []string{"outbox retry", "outbox drop"},
		examples: []string{"wabook outbox", "wabook outbox retry --all", "wabook outbox drop 12"},
	},
	"outbox retry": {
		summary:  "send failed changes again",
		usage:    []string{"outbox retry ID|--all"},
		examples: []string{"wabook outbox retry 12", "wabook outbox retry --all"},
		flags:    func() *flag.FlagSet { fs, _ := outboxActFlags("retry"); return fs },
	},
	"outbox drop": {
		summary:  "drop a failed change (WhatsApp will not learn it)",
		usage:    []string{"outbox drop ID"},
		examples: []string{"wabook outbox drop 12"},
		flags:    func() *flag.FlagSet { fs, _ := outboxActFlags("drop"); return fs },
	},
	"doctor": {
		summary: "what to look at when something is off (never connects)",
		usage:   []string{"doctor [--json] [--refresh]"},
		long: "One fact per line: paths, the database's schema and integrity, the account, the check queue, the " +
			"outbox and the WhatsApp Web version wabook would announce. It works while another wabook runs and never " +
			"changes the database (only --refresh caches the version it fetched).",
		examples: []string{"wabook doctor", "wabook doctor --json --refresh"},
	},
}

// WantsHelp reports whether args ask for help: -h, -help or --help before
// a "--", where the flag package would stop with flag.ErrHelp.
func WantsHelp(args []string) bool {
	for _, a := range args {
		if a == "--" {
			return false
		}
		if !strings.HasPrefix(a, "-") {
			continue
		}
		name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if name == "h" || name == "help" {
			return true
		}
	}
	return false
}

// HelpArgs are the arguments that make command print its help: an action
// of a command that has them, when args start with one, then --help. No
// other argument is passed on, so no command gets as far as doing
// anything.
func HelpArgs(command string, args []string) []string {
	if d, ok := docs[command]; ok && len(args) > 0 && slices.Contains(d.actions, command+" "+args[0]) {
		return []string{args[0], "--help"}
	}
	return []string{"--help"}
}
