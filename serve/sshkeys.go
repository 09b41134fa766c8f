// The SSH server's keys: its host key (made on first start) and the
// operators' authorized keys, named by their comments.
package serve

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"charm.land/ssh"
	gossh "golang.org/x/crypto/ssh"

	"github.com/wabook/wabook/model"
)

// maxKeysFile bounds what is read of the authorized-keys file: thousands
// of keys, and no more.
const maxKeysFile = 1 << 20

// loadHostKey reads the host key at path, or makes one there (ed25519,
// 0600, created only if absent: two servers starting at once keep the
// first one's). warning is set when the file can be read by others.
func loadHostKey(path string) (signer gossh.Signer, warning string, err error) {
	pemBytes, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		if err := writeHostKey(path); err != nil && !errors.Is(err, fs.ErrExist) {
			return nil, "", err
		}
		pemBytes, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, "", fmt.Errorf("ssh host key: %w", err)
	}
	signer, err = gossh.ParsePrivateKey(pemBytes)
	if err != nil {
		return nil, "", fmt.Errorf("ssh host key %s: %w", path, err)
	}
	if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o077 != 0 {
		warning = fmt.Sprintf("ssh host key %s can be read by others (mode %v): chmod 600 it", path, fi.Mode().Perm())
	}
	return signer, warning, nil
}

func writeHostKey(path string) error {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return fmt.Errorf("ssh host key: %w", err)
	}
	block, err := gossh.MarshalPrivateKey(priv, "wabook serve host key")
	if err != nil {
		return fmt.Errorf("ssh host key: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("ssh host key: %w", err)
	}
	if _, err := f.Write(pem.EncodeToMemory(block)); err != nil {
		f.Close()
		os.Remove(path)
		return fmt.Errorf("ssh host key: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(path)
		return fmt.Errorf("ssh host key: %w", err)
	}
	if err := f.Close(); err != nil {
		os.Remove(path)
		return fmt.Errorf("ssh host key: %w", err)
	}
	return nil
}

// authorizedKeys are the keys that get in and their operators' names.
type authorizedKeys struct {
	names map[string]string // the key's wire form → operator
}

func (k *authorizedKeys) lookup(key ssh.PublicKey) (string, bool) {
	name, ok := k.names[string(key.Marshal())]
	return name, ok
}

// readAuthorizedKeys reads an authorized-keys file: one key a line in
// OpenSSH's form, its comment the operator's name. Blank lines and lines
// starting with # are skipped. A key without a name, with options
// (wabook would not honour from= or command=, so it refuses them rather
// than let a key in more widely than written) or listed twice is an error
// naming its line. A missing file is no keys, and missing says so.
func readAuthorizedKeys(path string) (keys *authorizedKeys, missing bool, err error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &authorizedKeys{names: map[string]string{}}, true, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("authorized keys: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxKeysFile+1))
	if err != nil {
		return nil, false, fmt.Errorf("authorized keys %s: %w", path, err)
	}
	if len(data) > maxKeysFile {
		return nil, false, fmt.Errorf("authorized keys %s: larger than %d bytes", path, maxKeysFile)
	}
	keys = &authorizedKeys{names: map[string]string{}}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64<<10), maxKeysFile)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		pk, comment, options, _, err := gossh.ParseAuthorizedKey([]byte(line))
		if err != nil {
			return nil, false, fmt.Errorf("authorized keys %s, line %d: %w", path, n, err)
		}
		if len(options) > 0 {
			return nil, false, fmt.Errorf("authorized keys %s, line %d: options (%s) are not supported: write the key alone, then the operator's name", path, n, strings.Join(options, ","))
		}
		name := strings.TrimSpace(model.Sanitize(comment))
		if name == "" {
			return nil, false, fmt.Errorf("authorized keys %s, line %d: the key has no comment: write the operator's name after it", path, n)
		}
		wire := string(pk.Marshal())
		if other, ok := keys.names[wire]; ok {
			return nil, false, fmt.Errorf("authorized keys %s, line %d: this key is already listed, for %q", path, n, other)
		}
		keys.names[wire] = name
	}
	if err := sc.Err(); err != nil {
		return nil, false, fmt.Errorf("authorized keys %s: %w", path, err)
	}
	return keys, false, nil
}
