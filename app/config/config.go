// Package config reads wabook's config file: the check queue's settings
// (app/checkq) and the WhatsApp Web version to announce (app/versions.go).
// It sits below both app and app/checkq, which share the Config type.
package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/wabook/wabook/model"
	"github.com/wabook/wabook/model/files"
)

// Check-queue defaults (README, "Checking numbers").
const (
	DefaultCheckBatchSize   = 20
	MaxCheckBatchSize       = 20 // WhatsApp's limit per query
	DefaultCheckPace        = 10 * time.Second
	DefaultCheckDailyBudget = 1000
	DefaultCheckMaxAge      = 7 * 24 * time.Hour
	// DefaultServeCheckDeadline bounds how long wabook serve's check
	// routes wait for WhatsApp's answers before answering what they have.
	DefaultServeCheckDeadline = 30 * time.Second
	maxConfigSize             = 1 << 20

	// VersionURLOff as wa_version_url never fetches a version.
	VersionURLOff = "off"
)

// Config is wabook's config file, $XDG_CONFIG_HOME/wabook/config.json:
//
//	{"check_batch_size": 20, "check_pace": "10s",
//	 "check_daily_budget": 1000, "check_max_age": "168h",
//	 "wa_version": "2.3000.1031080782", "wa_version_url": "https://web.whatsapp.com"}
//
// Every key is optional. Durations are Go durations ("10s", "2m", "12h")
// or whole days ("7d").
type Config struct {
	// CheckBatchSize is the most numbers per WhatsApp query (1–20; larger
	// values are capped at 20).
	CheckBatchSize int
	// CheckPace is the time between two queries; each wait varies by ±20%.
	CheckPace time.Duration
	// CheckDailyBudget is the most numbers checked per account and local day.
	CheckDailyBudget int
	// CheckMaxAge is how long a check result is reused (the cache TTL).
	CheckMaxAge time.Duration
	// WAVersion pins the WhatsApp Web version to announce ("2.3000.N");
	// "" lets wabook pick it (app/versions.go).
	WAVersion string
	// WAVersionURL is the WhatsApp Web page the current version is read
	// from; "" means DefaultWAVersionURL, "off" never fetches.
	WAVersionURL string
	// ServeRateLimit is the requests a minute each token of wabook serve
	// may make; 0 means serve's default.
	ServeRateLimit int
	// ServeCheckDeadline is how long a check request to wabook serve
	// waits for answers (DefaultServeCheckDeadline when 0).
	ServeCheckDeadline time.Duration
	// WebhookURL is where wabook serve POSTs the Business API's no_wait
	// callbacks ("" for none; serve --webhook overrides it).
	WebhookURL string
}

// Default is the configuration without a config file.
func Default() Config {
	return Config{
		CheckBatchSize:   DefaultCheckBatchSize,
		CheckPace:        DefaultCheckPace,
		CheckDailyBudget: DefaultCheckDailyBudget,
		CheckMaxAge:      DefaultCheckMaxAge,
	}
}

type configJSON struct {
	CheckBatchSize     int    `json:"check_batch_size"`
	CheckPace          string `json:"check_pace"`
	CheckDailyBudget   int    `json:"check_daily_budget"`
	CheckMaxAge        string `json:"check_max_age"`
	WAVersion          string `json:"wa_version,omitempty"`
	WAVersionURL       string `json:"wa_version_url,omitempty"`
	ServeRateLimit     int    `json:"serve_rate_limit,omitempty"`
	ServeCheckDeadline string `json:"serve_check_deadline,omitempty"`
	WebhookURL         string `json:"webhook_url,omitempty"`
}

// MarshalJSON writes the config file's shape, durations as strings.
func (c Config) MarshalJSON() ([]byte, error) {
	return json.Marshal(configJSON{
		CheckBatchSize:     c.CheckBatchSize,
		CheckPace:          c.CheckPace.String(),
		CheckDailyBudget:   c.CheckDailyBudget,
		CheckMaxAge:        c.CheckMaxAge.String(),
		WAVersion:          c.WAVersion,
		WAVersionURL:       c.WAVersionURL,
		ServeRateLimit:     c.ServeRateLimit,
		ServeCheckDeadline: durationOrEmpty(c.ServeCheckDeadline),
		WebhookURL:         c.WebhookURL,
	})
}

// UnmarshalJSON reads the config file's shape; missing keys keep the
// defaults.
func (c *Config) UnmarshalJSON(data []byte) error {
	*c = Default()
	return c.parse(data)
}

// DefaultPath is $WABOOK_CONFIG, else $XDG_CONFIG_HOME/wabook/config.json,
// else ~/.config/wabook/config.json.
func DefaultPath() (string, error) {
	p, err := files.XDGPath("WABOOK_CONFIG", "XDG_CONFIG_HOME", ".config", "config.json")
	if err != nil {
		return "", fmt.Errorf("config: no config path: %w", err)
	}
	return p, nil
}

// Load reads the config file at path. A missing (or empty) file gives
// the defaults; a bad one gives one error naming the file and the problem.
func Load(path string) (Config, error) {
	cfg := Default()
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return cfg, nil
	}
	if err != nil {
		return cfg, fmt.Errorf("config file: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxConfigSize+1))
	if err != nil {
		return cfg, fmt.Errorf("config file %s: %w", path, err)
	}
	if len(data) > maxConfigSize {
		return cfg, fmt.Errorf("config file %s: larger than 1 MiB", path)
	}
	if err := cfg.parse(data); err != nil {
		return Default(), fmt.Errorf("config file %s: %w", path, err)
	}
	return cfg, nil
}

func (c *Config) parse(data []byte) error {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			line := bytes.Count(data[:min(int(syn.Offset), len(data))], []byte{'\n'}) + 1
			return fmt.Errorf("line %d: invalid JSON: %s", line, strings.TrimPrefix(err.Error(), "json: "))
		}
		return fmt.Errorf("want a JSON object like {\"check_pace\": \"10s\"}: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	for key, v := range raw {
		var err error
		switch key {
		case "check_batch_size":
			c.CheckBatchSize, err = parseCount(v, "")
			c.CheckBatchSize = min(c.CheckBatchSize, MaxCheckBatchSize)
		case "check_daily_budget":
			c.CheckDailyBudget, err = parseCount(v, "")
		case "check_pace":
			c.CheckPace, err = parseDurationJSON(v)
		case "check_max_age":
			c.CheckMaxAge, err = parseDurationJSON(v)
		case "wa_version":
			c.WAVersion, err = parseWAVersionJSON(v)
		case "wa_version_url":
			c.WAVersionURL, err = parseVersionURLJSON(v)
		case "serve_rate_limit":
			c.ServeRateLimit, err = parseCount(v, " (requests a minute per token)")
		case "serve_check_deadline":
			c.ServeCheckDeadline, err = parseDurationJSON(v)
			if err == nil && (c.ServeCheckDeadline < 100*time.Millisecond || c.ServeCheckDeadline > 10*time.Minute) {
				err = errors.New("must be between 100ms and 10m")
			}
		case "webhook_url":
			c.WebhookURL, err = parseWebhookJSON(v)
		default:
			return fmt.Errorf("unknown key %q (known: check_batch_size, check_pace, check_daily_budget, check_max_age, wa_version, wa_version_url, serve_rate_limit, serve_check_deadline, webhook_url)", key)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", key, err)
		}
	}
	return nil
}

func parseWAVersionJSON(v json.RawMessage) (string, error) {
	var s string
	if err := json.Unmarshal(v, &s); err != nil {
		return "", fmt.Errorf("want a version in quotes like \"2.3000.1031080782\", got %s", v)
	}
	if s == "" {
		return "", nil // not pinned
	}
	if _, err := model.ParseWAVersion(s); err != nil {
		return "", err
	}
	return s, nil
}

func parseVersionURLJSON(v json.RawMessage) (string, error) {
	var s string
	if err := json.Unmarshal(v, &s); err != nil {
		return "", fmt.Errorf("want a URL in quotes like \"https://web.whatsapp.com\" or \"off\", got %s", v)
	}
	if s == "" || s == VersionURLOff {
		return s, nil
	}
	if !isHTTPURL(s) {
		return "", fmt.Errorf("%q is not an http(s) URL (or \"off\")", s)
	}
	return s, nil
}

// durationOrEmpty writes an unset duration as nothing (omitted).
func durationOrEmpty(d time.Duration) string {
	if d == 0 {
		return ""
	}
	return d.String()
}

func parseWebhookJSON(v json.RawMessage) (string, error) {
	var s string
	if err := json.Unmarshal(v, &s); err != nil {
		return "", fmt.Errorf("want a URL in quotes like \"https://example.com/hook\", got %s", v)
	}
	if s == "" {
		return "", nil
	}
	return s, CheckWebhookURL(s)
}

// CheckWebhookURL says why u cannot take the Business API's callbacks:
// an http(s) URL with a host is needed.
func CheckWebhookURL(u string) error {
	if !isHTTPURL(u) {
		return fmt.Errorf("%q is not an http(s) URL", u)
	}
	return nil
}

// isHTTPURL reports whether s is an http or https URL with a host.
func isHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

func parseInt(v json.RawMessage) (int, error) {
	var n int
	if err := json.Unmarshal(v, &n); err != nil {
		return 0, fmt.Errorf("want a whole number, got %s", v)
	}
	return n, nil
}

// parseCount reads a whole number that must be at least 1; unit, when not
// empty, is added to the error saying so.
func parseCount(v json.RawMessage, unit string) (int, error) {
	n, err := parseInt(v)
	if err == nil && n < 1 {
		err = errors.New("must be at least 1" + unit)
	}
	return n, err
}

func parseDurationJSON(v json.RawMessage) (time.Duration, error) {
	var s string
	if err := json.Unmarshal(v, &s); err != nil {
		return 0, fmt.Errorf("want a duration in quotes like \"10s\" or \"7d\", got %s", v)
	}
	return ParseAge(s)
}

// ParseAge reads a duration as Go writes it ("90s", "12h", "1h30m") or in
// whole days ("7d", "1d12h"). Negative durations are refused.
func ParseAge(s string) (time.Duration, error) {
	t := strings.TrimSpace(s)
	var days time.Duration
	if i := strings.IndexByte(t, 'd'); i > 0 {
		n, err := strconv.Atoi(t[:i])
		if err != nil || n < 0 || n > 100_000 {
			return 0, fmt.Errorf("%q is not a duration (like \"10s\", \"12h\" or \"7d\")", s)
		}
		days = time.Duration(n) * 24 * time.Hour
		t = t[i+1:]
		if t == "" {
			return days, nil
		}
	}
	d, err := time.ParseDuration(t)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration (like \"10s\", \"12h\" or \"7d\")", s)
	}
	if d < 0 {
		return 0, fmt.Errorf("%q is negative", s)
	}
	return days + d, nil
}

// Normalize makes a config usable: zero or out-of-range values become the
// defaults, and the batch size is capped at 20.
func (c Config) Normalize() Config {
	d := Default()
	if c.CheckBatchSize <= 0 {
		c.CheckBatchSize = d.CheckBatchSize
	}
	c.CheckBatchSize = min(c.CheckBatchSize, MaxCheckBatchSize)
	if c.CheckDailyBudget <= 0 {
		c.CheckDailyBudget = d.CheckDailyBudget
	}
	c.CheckPace = max(c.CheckPace, 0)
	c.CheckMaxAge = max(c.CheckMaxAge, 0)
	return c
}
