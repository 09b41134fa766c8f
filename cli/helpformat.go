// Drawing a command's help: its flags in sections, defaults, wrapping, and
// the overview of every command.
package cli

import (
	"flag"
	"fmt"
	"strings"
	"time"
)

// helpOf renders the help of the doc key name, whose own flags are fs (nil
// when it has none).
func helpOf(name string, fs *flag.FlagSet) *HelpRequest {
	d, ok := docs[name]
	var b strings.Builder
	if !ok {
		d = doc{usage: []string{name + " [flags]"}}
	}
	fmt.Fprintf(&b, "wabook %s — %s\n\nUSAGE\n", name, d.summary)
	for _, u := range d.usage {
		fmt.Fprintf(&b, "  wabook %s\n", u)
	}
	for _, p := range strings.Split(d.long, "\n\n") {
		if p != "" {
			b.WriteString("\n" + wrap(p, 80, "") + "\n")
		}
	}
	var sections []flagSection
	if fs != nil {
		sections = append(sections, flagSection{"", flagLines(fs)})
	}
	for _, a := range d.actions {
		if ad := docs[a]; ad.flags != nil {
			if lines := flagLines(ad.flags()); len(lines) > 0 {
				sections = append(sections, flagSection{a, lines})
			}
		}
	}
	if d.wait {
		title := ""
		if len(d.actions) > 0 {
			title = "every action"
		}
		sections = append(sections, flagSection{title, []flagLine{{"--wait", waitUsage}}})
	}
	if len(sections) > 0 {
		b.WriteString("\nFLAGS\n")
		writeFlagSections(&b, sections)
	}
	if len(d.actions) > 0 {
		b.WriteString("\nACTIONS\n")
		for _, a := range d.actions {
			fmt.Fprintf(&b, "  %-13s %s\n", strings.TrimPrefix(a, name+" "), docs[a].summary)
		}
	}
	if len(d.examples) > 0 {
		b.WriteString("\nEXAMPLES\n")
		for _, e := range d.examples {
			fmt.Fprintf(&b, "  %s\n", e)
		}
	}
	b.WriteString("\nGlobal flags (--db, --sim, --region, …) go before the command: see wabook help.\n")
	if len(d.actions) > 0 {
		fmt.Fprintf(&b, "wabook %s ACTION --help shows one action.\n", name)
	}
	return &HelpRequest{Text: b.String()}
}

type flagLine struct{ name, usage string }

type flagSection struct {
	title string // "" for the command's own flags
	lines []flagLine
}

// flagLines describes each flag of fs, in name order, with its argument
// and its default.
func flagLines(fs *flag.FlagSet) []flagLine {
	var out []flagLine
	fs.VisitAll(func(f *flag.Flag) {
		arg, usage := flag.UnquoteUsage(f)
		_, isBool := f.Value.(interface{ IsBoolFlag() bool })
		switch arg {
		case "", "value":
			if !isBool {
				arg = strings.ToUpper(f.Name)
			}
		case "string", "int":
			arg = strings.ToUpper(f.Name)
		case "duration":
			arg = "D"
		}
		name := "--" + f.Name
		if len(f.Name) == 1 {
			name = "-" + f.Name
		}
		if arg != "" && !isBool {
			name += " " + arg
		}
		if !strings.Contains(usage, "default") {
			usage += " (default: " + defaultText(f, isBool, arg == "D") + ")"
		}
		out = append(out, flagLine{name, usage})
	})
	return out
}

func defaultText(f *flag.Flag, isBool, isDuration bool) string {
	switch {
	case isBool && f.DefValue == "true":
		return "on"
	case isBool:
		return "off"
	case f.DefValue == "":
		return "none"
	case isDuration:
		if d, err := time.ParseDuration(f.DefValue); err == nil {
			s := d.String()
			for _, z := range []string{"m0s", "h0m"} {
				if strings.HasSuffix(s, z) {
					s = strings.TrimSuffix(s, z[1:])
				}
			}
			return s
		}
	}
	return f.DefValue
}

func writeFlagSections(b *strings.Builder, sections []flagSection) {
	width := 0
	for _, s := range sections {
		for _, l := range s.lines {
			width = max(width, len(l.name))
		}
	}
	for _, s := range sections {
		indent := "  "
		if s.title != "" {
			fmt.Fprintf(b, "  %s:\n", s.title)
			indent = "    "
		}
		pad := indent + strings.Repeat(" ", width+2)
		for _, l := range s.lines {
			head := indent + l.name + strings.Repeat(" ", width+2-len(l.name))
			b.WriteString(head + strings.TrimPrefix(wrap(l.usage, 80, pad), pad) + "\n")
		}
	}
}

// wrap breaks text into lines of at most width columns (counting runes),
// each after indent.
func wrap(text string, width int, indent string) string {
	var lines []string
	line := indent
	for _, w := range strings.Fields(text) {
		if line != indent && len([]rune(line))+1+len([]rune(w)) > width {
			lines = append(lines, line)
			line = indent
		}
		if line != indent {
			line += " "
		}
		line += w
	}
	return strings.Join(append(lines, line), "\n")
}

// Overview is the list of commands wabook help prints: each command's
// synopses and what it does.
func Overview() string {
	var b strings.Builder
	for _, name := range Order {
		d := docs[name]
		if first := d.usage[0]; len(first) <= 46 {
			fmt.Fprintf(&b, "  %-46s  %s\n", first, d.summary)
		} else {
			fmt.Fprintf(&b, "  %s\n  %-46s  %s\n", first, "", d.summary)
		}
		for _, u := range d.usage[1:] {
			fmt.Fprintf(&b, "  %s\n", u)
		}
	}
	return b.String()
}
