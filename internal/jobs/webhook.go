package jobs

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/hooksig"
)

// HTTPPoster posts webhook events with client, signing each one. A
// non-2xx answer is an error, so the queue retries with backoff.
func HTTPPoster(client *http.Client) Poster {
	if client == nil {
		client = &http.Client{Timeout: 15 * time.Second}
	}
	return func(ctx context.Context, url, secret string, d *domain.WebhookDelivery) (int, error) {
		body := []byte(d.Payload)
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
		if err != nil {
			return 0, err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("User-Agent", "Provisio-Webhooks/1")
		req.Header.Set("Provisio-Event", d.Event)
		req.Header.Set("Provisio-Delivery", d.ID)
		req.Header.Set(hooksig.Header, hooksig.Sign(secret, time.Now(), body))
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		if resp.StatusCode < 200 || resp.StatusCode > 299 {
			return resp.StatusCode, fmt.Errorf("webhook answered %d", resp.StatusCode)
		}
		return resp.StatusCode, nil
	}
}
