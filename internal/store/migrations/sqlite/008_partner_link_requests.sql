-- +goose Up
-- partner_link_requests: a customer's administrators ask a partner to
-- become their partner of record; the link is made once the partner's
-- administrators accept. One request per customer at a time.
CREATE TABLE partner_link_requests (
    customer_id  TEXT PRIMARY KEY REFERENCES orgs (id),
    partner_id   TEXT NOT NULL REFERENCES orgs (id),
    requested_by TEXT NOT NULL,
    created_at   INTEGER NOT NULL
);
CREATE INDEX partner_link_requests_partner ON partner_link_requests (partner_id);

-- +goose Down
DROP TABLE partner_link_requests;
