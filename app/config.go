package app

import (
	"time"

	"github.com/wabook/wabook/app/config"
)

// Config is wabook's config file (app/config): the check queue's settings
// and the WhatsApp Web version to announce.
type Config = config.Config

// Check-queue defaults (README, "Checking numbers").
const (
	DefaultCheckBatchSize   = config.DefaultCheckBatchSize
	MaxCheckBatchSize       = config.MaxCheckBatchSize // WhatsApp's limit per query
	DefaultCheckPace        = config.DefaultCheckPace
	DefaultCheckDailyBudget = config.DefaultCheckDailyBudget
	DefaultCheckMaxAge      = config.DefaultCheckMaxAge
)

// DefaultConfig is the configuration without a config file.
func DefaultConfig() Config { return config.Default() }

// DefaultConfigPath is $WABOOK_CONFIG, else $XDG_CONFIG_HOME/wabook/config.json,
// else ~/.config/wabook/config.json.
func DefaultConfigPath() (string, error) { return config.DefaultPath() }

// LoadConfig reads the config file at path. A missing (or empty) file gives
// the defaults; a bad one gives one error naming the file and the problem.
func LoadConfig(path string) (Config, error) { return config.Load(path) }

// ParseAge reads a duration as Go writes it ("90s", "12h", "1h30m") or in
// whole days ("7d", "1d12h"). Negative durations are refused.
func ParseAge(s string) (time.Duration, error) { return config.ParseAge(s) }
