package domain

// Idempotent is a POST remembered by its Idempotency-Key. Status 0 means
// the first request is still running.
type Idempotent struct {
	RequestHash string
	Status      int
	ContentType string
	Body        string
}
