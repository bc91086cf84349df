-- +goose Up
-- User reviews (R-AUDIT-3): campaigns, one review per organisation, and
-- the decision on each user with the user as they were then.
-- orgs.review_auto_remove (R-PLUS-5): what happens to access left
-- unconfirmed at the due date: '' nothing (the review is escalated to the
-- operators), 'lock' or 'unassign'.
ALTER TABLE orgs ADD COLUMN review_auto_remove TEXT NOT NULL DEFAULT '';
CREATE TABLE review_campaigns (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    schedule_key TEXT UNIQUE,
    opened_by    TEXT NOT NULL DEFAULT '',
    opened_at    INTEGER NOT NULL,
    due_at       INTEGER NOT NULL
);
CREATE TABLE reviews (
    id           TEXT PRIMARY KEY,
    campaign_id  TEXT NOT NULL REFERENCES review_campaigns (id),
    org_id       TEXT NOT NULL REFERENCES orgs (id),
    state        TEXT NOT NULL,
    due_at       INTEGER NOT NULL,
    reminders    INTEGER NOT NULL DEFAULT 0,
    completed_at INTEGER,
    completed_by TEXT NOT NULL DEFAULT '',
    escalated_at INTEGER,
    created_at   INTEGER NOT NULL
);
CREATE UNIQUE INDEX reviews_campaign_org ON reviews (campaign_id, org_id);
CREATE INDEX reviews_org ON reviews (org_id, id);
CREATE INDEX reviews_state_due ON reviews (state, due_at);
CREATE TABLE review_decisions (
    review_id  TEXT NOT NULL REFERENCES reviews (id),
    user_id    TEXT NOT NULL REFERENCES users (id),
    decision   TEXT NOT NULL,
    site_ids   TEXT NOT NULL DEFAULT '',
    comment    TEXT NOT NULL DEFAULT '',
    decided_by TEXT NOT NULL DEFAULT '',
    decided_at INTEGER NOT NULL,
    snapshot   TEXT NOT NULL,
    PRIMARY KEY (review_id, user_id)
);

-- +goose Down
DROP TABLE review_decisions;
DROP TABLE reviews;
DROP TABLE review_campaigns;
ALTER TABLE orgs DROP COLUMN review_auto_remove;
