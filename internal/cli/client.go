// Package cli is Provisio's command line over the REST API: provisio
// login, then provisio <noun> <verb>. Output is a table for people, or the
// API's JSON with --json.
package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Config is what login remembers: the server and the API token.
type Config struct {
	Server  string `json:"server"`
	Token   string `json:"token"`
	TokenID string `json:"token_id,omitempty"`
	Email   string `json:"email,omitempty"`
}

// ConfigPath is where the config lives: $PROVISIO_CONFIG, or
// provisio/config.json under the user's config directory.
func ConfigPath() string {
	if p := os.Getenv("PROVISIO_CONFIG"); p != "" {
		return p
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		dir = "."
	}
	return filepath.Join(dir, "provisio", "config.json")
}

// LoadConfig reads the config; a missing file gives an empty config.
func LoadConfig(path string) (Config, error) {
	var c Config
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return c, nil
	} else if err != nil {
		return c, err
	}
	if err := json.Unmarshal(b, &c); err != nil {
		return c, fmt.Errorf("config %s: %w", path, err)
	}
	return c, nil
}

// SaveConfig writes the config, readable by its owner only: it holds a
// token.
func SaveConfig(path string, c Config) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	b, _ := json.MarshalIndent(c, "", "  ")
	return os.WriteFile(path, append(b, '\n'), 0o600)
}

// Client calls the REST API.
type Client struct {
	Server string
	Token  string
	HTTP   *http.Client
}

// Problem is an error answer of the API (RFC 9457).
type Problem struct {
	Status int    `json:"status"`
	Title  string `json:"title"`
	Detail string `json:"detail"`
	Code   string `json:"code"`
	Rule   string `json:"rule"`
	Field  string `json:"field"`
	Errors []struct {
		Message  string `json:"message"`
		Location string `json:"location"`
	} `json:"errors"`
}

func (p *Problem) Error() string {
	msg := p.Detail
	if msg == "" {
		msg = p.Title
	}
	for _, e := range p.Errors {
		msg += "\n  " + strings.TrimPrefix(e.Location+": ", ": ") + e.Message
	}
	return fmt.Sprintf("%s (%d %s)", msg, p.Status, p.Code)
}

// Do sends a request and decodes a JSON answer into out (when not nil).
// It returns the raw body too, for --json output.
func (c *Client) Do(ctx context.Context, method, path string, query url.Values, body, out any) ([]byte, error) {
	if c.Server == "" {
		return nil, errors.New("no server configured: run `provisio login --server URL --email ADDRESS` first")
	}
	u := strings.TrimRight(c.Server, "/") + "/api/v1" + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 60 * time.Second}
	}
	resp, err := hc.Do(req)
	var op *net.OpError
	switch {
	case errors.As(err, &op) && op.Op == "dial":
		return nil, fmt.Errorf("cannot reach the server at %s: is it running? (start it with `provisio serve`, or give --server): %w", c.Server, err)
	case err != nil:
		return nil, fmt.Errorf("reach %s: %w", c.Server, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode >= 400 {
		p := &Problem{Status: resp.StatusCode}
		if json.Unmarshal(raw, p) != nil || (p.Detail == "" && p.Title == "") {
			p.Title = strings.TrimSpace(string(raw))
		}
		if resp.StatusCode == http.StatusUnauthorized && c.Token == "" {
			p.Detail += "; run `provisio login` first"
		}
		return raw, p
	}
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			return raw, fmt.Errorf("decode answer of %s %s: %w", method, path, err)
		}
	}
	return raw, nil
}
