package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	def := Default()
	tests := []struct {
		name, body string
		want       Config
		err        string
	}{
		{"empty", "  \n", def, ""},
		{"full", `{"check_batch_size":10,"check_pace":"2s","check_daily_budget":300,"check_max_age":"3d"}`,
			Config{CheckBatchSize: 10, CheckPace: 2 * time.Second, CheckDailyBudget: 300, CheckMaxAge: 72 * time.Hour}, ""},
		{"partial", `{"check_pace":"0s"}`, Config{CheckBatchSize: 20, CheckPace: 0, CheckDailyBudget: 1000, CheckMaxAge: def.CheckMaxAge}, ""},
		{"capped", `{"check_batch_size":50}`, Config{CheckBatchSize: 20, CheckPace: def.CheckPace, CheckDailyBudget: 1000, CheckMaxAge: def.CheckMaxAge}, ""},
		{"days and hours", `{"check_max_age":"1d12h"}`, Config{CheckBatchSize: 20, CheckPace: def.CheckPace, CheckDailyBudget: 1000, CheckMaxAge: 36 * time.Hour}, ""},
		{"syntax", "{\n\"check_pace\": \"10s\",\n}", def, "line 3"},
		{"unknown key", `{"check_pase":"10s"}`, def, `unknown key "check_pase"`},
		{"bad duration", `{"check_pace":"soon"}`, def, `check_pace: "soon" is not a duration`},
		{"number duration", `{"check_pace":10}`, def, "check_pace: want a duration"},
		{"negative", `{"check_max_age":"-1h"}`, def, "negative"},
		{"zero budget", `{"check_daily_budget":0}`, def, "check_daily_budget: must be at least 1"},
		{"string size", `{"check_batch_size":"20"}`, def, "want a whole number"},
		{"array", `[1]`, def, "want a JSON object"},
		{"wa version", `{"wa_version":"2.3000.1000000001","wa_version_url":"http://127.0.0.1:8080/"}`,
			Config{CheckBatchSize: 20, CheckPace: def.CheckPace, CheckDailyBudget: 1000, CheckMaxAge: def.CheckMaxAge,
				WAVersion: "2.3000.1000000001", WAVersionURL: "http://127.0.0.1:8080/"}, ""},
		{"version fetching off", `{"wa_version_url":"off"}`,
			Config{CheckBatchSize: 20, CheckPace: def.CheckPace, CheckDailyBudget: 1000, CheckMaxAge: def.CheckMaxAge, WAVersionURL: "off"}, ""},
		{"bad wa version", `{"wa_version":"2.3000"}`, def, `wa_version: "2.3000" is not a WhatsApp Web version`},
		{"numeric wa version", `{"wa_version":2.3}`, def, "wa_version: want a version in quotes"},
		{"serve rate limit", `{"serve_rate_limit":120}`,
			Config{CheckBatchSize: 20, CheckPace: def.CheckPace, CheckDailyBudget: 1000, CheckMaxAge: def.CheckMaxAge, ServeRateLimit: 120}, ""},
		{"zero rate limit", `{"serve_rate_limit":0}`, def, "serve_rate_limit: must be at least 1"},
		{"serve check deadline and webhook", `{"serve_check_deadline":"5s","webhook_url":"http://127.0.0.1:9000/hook"}`,
			Config{CheckBatchSize: 20, CheckPace: def.CheckPace, CheckDailyBudget: 1000, CheckMaxAge: def.CheckMaxAge,
				ServeCheckDeadline: 5 * time.Second, WebhookURL: "http://127.0.0.1:9000/hook"}, ""},
		{"deadline too short", `{"serve_check_deadline":"1ms"}`, def, "serve_check_deadline: must be between 100ms and 10m"},
		{"bad webhook", `{"webhook_url":"ftp://x/y"}`, def, `webhook_url: "ftp://x/y" is not an http(s) URL`},
		{"bad version url", `{"wa_version_url":"web.whatsapp.com"}`, def, "wa_version_url: \"web.whatsapp.com\" is not an http(s) URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := write(tt.name+".json", tt.body)
			got, err := Load(p)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) || !strings.Contains(err.Error(), p) || strings.Contains(err.Error(), "\n") {
					t.Errorf("error %v, want one line naming %s and containing %q", err, p, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("got %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
	if got, err := Load(filepath.Join(dir, "missing.json")); err != nil || got != def {
		t.Errorf("missing file: %+v, %v", got, err)
	}

	t.Setenv("WABOOK_CONFIG", "")
	t.Setenv("XDG_CONFIG_HOME", "/xdg")
	if p, _ := DefaultPath(); p != "/xdg/wabook/config.json" {
		t.Errorf("DefaultConfigPath with XDG_CONFIG_HOME = %s", p)
	}
	t.Setenv("WABOOK_CONFIG", "/elsewhere.json")
	if p, _ := DefaultPath(); p != "/elsewhere.json" {
		t.Errorf("DefaultConfigPath with WABOOK_CONFIG = %s", p)
	}
}
