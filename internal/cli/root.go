package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"slices"

	"strings"
	"time"

	"github.com/urfave/cli/v3"

	"github.com/provisio/provisio/internal/api"
	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/identity"
	"github.com/provisio/provisio/internal/jobs"
	"github.com/provisio/provisio/internal/mail"
	"github.com/provisio/provisio/internal/server"
)

// Root returns the provisio command with every subcommand. The binary's
// main and the end-to-end tests both run it.
func Root() *cli.Command {
	return &cli.Command{
		Name:    "provisio",
		Version: api.Version,
		Usage:   "provisioning portal: who may reach each hosted site, under the customer's control",
		Flags:   GlobalFlags(),
		Commands: append([]*cli.Command{
			{Name: "serve", Usage: "run the server (migrates the database first)", Flags: serverFlags(true), Action: serve},
			{Name: "migrate", Usage: "apply database migrations, Provisio's and River's", Flags: serverFlags(false), Action: migrate},
			{Name: "bootstrap", Usage: "create the vendor organisation and its first operator; prints a one-time registration link",
				Flags: append(serverFlags(false), req("email", "the operator's email"), req("name", "the operator's name"),
					&cli.StringFlag{Name: "vendor", Usage: "the vendor organisation's name", Value: "Provisio operators"}),
				Action: bootstrap},
		}, Commands()...),
	}
}

// serverFlags are the settings of commands that open the database; the
// README's table of settings lists the same.
func serverFlags(serving bool) []cli.Flag {
	fs := []cli.Flag{
		&cli.StringFlag{Name: "database-url", Value: "provisio.db", Sources: cli.EnvVars("PROVISIO_DATABASE_URL"),
			Usage: "SQLite file path, or a postgres:// URL"},
		&cli.StringFlag{Name: "base-url", Sources: cli.EnvVars("PROVISIO_BASE_URL"), Usage: "public URL of the portal, for links in emails (default http://ADDR)"},
		&cli.StringFlag{Name: "addr", Value: "localhost:8080", Sources: cli.EnvVars("PROVISIO_ADDR"), Usage: "address to listen on"},
		&cli.StringFlag{Name: "product-name", Value: "Provisio", Sources: cli.EnvVars("PROVISIO_PRODUCT_NAME"), Usage: "product name in emails and pages"},
		&cli.DurationFlag{Name: "invitation-ttl", Value: 7 * 24 * time.Hour, Sources: cli.EnvVars("PROVISIO_INVITATION_TTL"), Usage: "how long an invitation link works (R-USER-4)"},
		&cli.DurationFlag{Name: "stasis-period", Value: 7 * 24 * time.Hour, Sources: cli.EnvVars("PROVISIO_STASIS_PERIOD"), Usage: "how long a cancelled site can be restored (R-SITE-2)"},
		&cli.DurationFlag{Name: "app-access-ttl", Value: 5 * time.Minute, Sources: cli.EnvVars("PROVISIO_APP_ACCESS_TTL"), Usage: "how long an access token for a site's application lasts; a refresh re-runs the access decision (R-APP-2)"},
		&cli.DurationFlag{Name: "app-refresh-ttl", Value: 30 * 24 * time.Hour, Sources: cli.EnvVars("PROVISIO_APP_REFRESH_TTL"), Usage: "how long a refresh token for a site's application lasts (R-APP-2)"},
		&cli.DurationFlag{Name: "app-key-rotation", Value: 30 * 24 * time.Hour, Sources: cli.EnvVars("PROVISIO_APP_KEY_ROTATION"), Usage: "how long the OpenID provider signs with one key before the next (R-APP-2)"},
		&cli.DurationFlag{Name: "app-retention", Value: 30 * 24 * time.Hour, Sources: cli.EnvVars("PROVISIO_APP_RETENTION"), Usage: "how long a user who lost access stays in a site application's SCIM list, inactive (R-APP-1)"},
		&cli.IntFlag{Name: "min-password-length", Value: 12, Sources: cli.EnvVars("PROVISIO_MIN_PASSWORD_LENGTH"), Usage: "shortest password accepted"},
		&cli.StringFlag{Name: "disposable-domains-file", Sources: cli.EnvVars("PROVISIO_DISPOSABLE_DOMAINS_FILE"), Usage: "extra disposable email domains, one per line (R-USER-2)"},
		&cli.StringFlag{Name: "log-format", Value: "text", Sources: cli.EnvVars("PROVISIO_LOG_FORMAT"), Usage: "text or json"},
		&cli.StringFlag{Name: "log-level", Value: "info", Sources: cli.EnvVars("PROVISIO_LOG_LEVEL"), Usage: "debug, info, warn or error"},
	}
	fs = append(fs,
		&cli.DurationFlag{Name: "partner-access-standard", Value: 7 * 24 * time.Hour, Sources: cli.EnvVars("PROVISIO_PARTNER_ACCESS_STANDARD"), Usage: "longest partner access on standard sites (R-PARTNER-2; 0 = no expiry)"},
		&cli.DurationFlag{Name: "partner-access-professional", Sources: cli.EnvVars("PROVISIO_PARTNER_ACCESS_PROFESSIONAL"), Usage: "longest partner access on professional sites (R-PARTNER-3; 0 = no expiry)"},
		&cli.DurationFlag{Name: "access-request-ttl", Value: 7 * 24 * time.Hour, Sources: cli.EnvVars("PROVISIO_ACCESS_REQUEST_TTL"), Usage: "unanswered partner access requests lapse after this (R-PARTNER-4)"},
		&cli.DurationFlag{Name: "access-reminder", Value: 24 * time.Hour, Sources: cli.EnvVars("PROVISIO_ACCESS_REMINDER"), Usage: "remind partner users this long before access ends (R-PLUS-1)"},
		&cli.IntFlag{Name: "argon2-time", Value: 3, Sources: cli.EnvVars("PROVISIO_ARGON2_TIME"), Usage: "argon2id passes over memory"},
		&cli.IntFlag{Name: "argon2-memory", Value: 64 * 1024, Sources: cli.EnvVars("PROVISIO_ARGON2_MEMORY"), Usage: "argon2id memory in KiB"},
		&cli.IntFlag{Name: "argon2-threads", Value: 2, Sources: cli.EnvVars("PROVISIO_ARGON2_THREADS"), Usage: "argon2id parallelism"},
		&cli.StringFlag{Name: "mfa-required-for", Value: "operator,partner", Sources: cli.EnvVars("PROVISIO_MFA_REQUIRED_FOR"), Usage: "user types that always need a second factor (R-PLUS-3): operator, partner, customer, accountant, or none"},
		&cli.DurationFlag{Name: "session-idle", Value: 2 * time.Hour, Sources: cli.EnvVars("PROVISIO_SESSION_IDLE"), Usage: "a session unused this long ends"},
		&cli.DurationFlag{Name: "session-absolute", Value: 12 * time.Hour, Sources: cli.EnvVars("PROVISIO_SESSION_ABSOLUTE"), Usage: "a session ends this long after sign-in"},
		&cli.DurationFlag{Name: "password-reset-ttl", Value: time.Hour, Sources: cli.EnvVars("PROVISIO_PASSWORD_RESET_TTL"), Usage: "how long a password reset link works"},
		&cli.IntFlag{Name: "signin-account-failures", Value: 5, Sources: cli.EnvVars("PROVISIO_SIGNIN_ACCOUNT_FAILURES"), Usage: "failed sign-ins per account from one address before that address is locked out of it"},
		&cli.IntFlag{Name: "signin-address-failures", Value: 20, Sources: cli.EnvVars("PROVISIO_SIGNIN_ADDRESS_FAILURES"), Usage: "failed sign-ins per client address before a lockout"},
		&cli.DurationFlag{Name: "signin-lockout", Value: 15 * time.Minute, Sources: cli.EnvVars("PROVISIO_SIGNIN_LOCKOUT"), Usage: "how long a lockout lasts (and the window failures are counted in)"},
		&cli.IntFlag{Name: "password-resets-per-account", Value: 3, Sources: cli.EnvVars("PROVISIO_PASSWORD_RESETS_PER_ACCOUNT"), Usage: "password reset emails per account within the sign-in window; more requests send nothing"},
		&cli.IntFlag{Name: "password-resets-per-address", Value: 10, Sources: cli.EnvVars("PROVISIO_PASSWORD_RESETS_PER_ADDRESS"), Usage: "password reset requests per client address within the sign-in window"},
		&cli.IntFlag{Name: "max-password-hashing", Value: 0, Sources: cli.EnvVars("PROVISIO_MAX_PASSWORD_HASHING"), Usage: "password hashes run at once (each takes the argon2 memory); 0: one per processor, at least two"},
		&cli.DurationFlag{Name: "idempotency-lease", Value: app.DefaultIdempotencyLease, Sources: cli.EnvVars("PROVISIO_IDEMPOTENCY_LEASE"), Usage: "a POST holds its Idempotency-Key this long; a retry may then take over the key of a request that died"},
		&cli.StringFlag{Name: "smtp-host", Sources: cli.EnvVars("PROVISIO_SMTP_HOST"), Usage: "mail server; empty keeps notices in the local mailbox (R-NOTE-2)"},
		&cli.IntFlag{Name: "smtp-port", Value: 587, Sources: cli.EnvVars("PROVISIO_SMTP_PORT"), Usage: "mail server port"},
		&cli.StringFlag{Name: "smtp-tls", Value: "starttls", Sources: cli.EnvVars("PROVISIO_SMTP_TLS"), Usage: "starttls, tls, opportunistic or none"},
		&cli.StringFlag{Name: "smtp-username", Sources: cli.EnvVars("PROVISIO_SMTP_USERNAME"), Usage: "mail server login (empty: no authentication)"},
		&cli.StringFlag{Name: "smtp-password", Sources: cli.EnvVars("PROVISIO_SMTP_PASSWORD"), Usage: "mail server password"},
		&cli.StringFlag{Name: "smtp-from", Value: "Provisio <noreply@localhost>", Sources: cli.EnvVars("PROVISIO_SMTP_FROM"), Usage: "sender of notices"},
		&cli.StringFlag{Name: "secrets-keys", Sources: cli.EnvVars("PROVISIO_SECRETS_KEYS"),
			Usage: "keys that seal stored secrets, id:base64 (32 bytes) separated by commas, the first sealing; none: a key kept in the database"},
		&cli.StringFlag{Name: "review-schedule", Value: "01-01,04-01,07-01,10-01", Sources: cli.EnvVars("PROVISIO_REVIEW_SCHEDULE"),
			Usage: "days of the year (MM-DD, UTC) on which a user review campaign opens (R-AUDIT-3); none: only by hand"},
		&cli.DurationFlag{Name: "review-period", Value: 30 * 24 * time.Hour, Sources: cli.EnvVars("PROVISIO_REVIEW_PERIOD"),
			Usage: "from a campaign's opening to its due date, when undone reviews go to the operators or lose unconfirmed access (R-PLUS-5)"},
		&cli.StringFlag{Name: "review-reminders", Value: "336h,168h,24h", Sources: cli.EnvVars("PROVISIO_REVIEW_REMINDERS"),
			Usage: "remind administrators this long before a review's due date (comma-separated durations)"},
		&cli.StringFlag{Name: "provisioner", Value: app.ProvisionerBuiltin, Sources: cli.EnvVars("PROVISIO_PROVISIONER"),
			Usage: "how sites are built (R-SITE-0): builtin (ready at once) or webhook (the vendor's automation, with a signed callback)"},
		&cli.StringFlag{Name: "provisioner-url", Sources: cli.EnvVars("PROVISIO_PROVISIONER_URL"),
			Usage: "webhook provisioner: where site events are POSTed"},
		&cli.StringFlag{Name: "provisioner-secret", Sources: cli.EnvVars("PROVISIO_PROVISIONER_SECRET"),
			Usage: "webhook provisioner: the secret that signs events and callbacks (prefer the environment variable)"},
		&cli.DurationFlag{Name: "provisioning-timeout", Value: time.Hour, Sources: cli.EnvVars("PROVISIO_PROVISIONING_TIMEOUT"),
			Usage: "webhook provisioner: a site with no callback this long after its request is marked failed"},
		&cli.BoolFlag{Name: "outbound-loopback", Sources: cli.EnvVars("PROVISIO_OUTBOUND_LOOPBACK"),
			Usage: "development only: let webhooks and identity providers be on loopback addresses (private and metadata addresses stay refused)"},
	)
	if serving {
		fs = append(fs,
			&cli.DurationFlag{Name: "shutdown-timeout", Value: 15 * time.Second, Sources: cli.EnvVars("PROVISIO_SHUTDOWN_TIMEOUT"),
				Usage: "how long requests in flight may finish on stop"},
			&cli.DurationFlag{Name: "sweep-interval", Value: time.Minute, Sources: cli.EnvVars("PROVISIO_SWEEP_INTERVAL"),
				Usage: "how often expired access, lapsed requests, reminders and stuck deliveries are swept"},
			&cli.IntFlag{Name: "delivery-attempts", Value: 12, Sources: cli.EnvVars("PROVISIO_DELIVERY_ATTEMPTS"),
				Usage: "attempts (with backoff) before a notice or webhook delivery is failed"},
			&cli.DurationFlag{Name: "job-timeout", Value: 30 * time.Second, Sources: cli.EnvVars("PROVISIO_JOB_TIMEOUT"),
				Usage: "longest background job attempt; a job left by a crashed replica resumes after twice this"})
	}
	return fs
}

func logger(cmd *cli.Command) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(cmd.String("log-level"))); err != nil {
		return nil, fmt.Errorf("--log-level: %w", err)
	}
	opts := &slog.HandlerOptions{Level: level}
	w := cmd.Root().ErrWriter
	switch cmd.String("log-format") {
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format must be text or json")
}

func serverConfig(cmd *cli.Command, addr string) server.Config {
	ac := app.DefaultConfig()
	ac.BaseURL = strings.TrimRight(cmd.String("base-url"), "/")
	if ac.BaseURL == "" {
		ac.BaseURL = "http://" + addr
	}
	ac.ProductName = cmd.String("product-name")
	ac.InvitationTTL = cmd.Duration("invitation-ttl")
	ac.StasisPeriod = cmd.Duration("stasis-period")
	ac.AppRetention = cmd.Duration("app-retention")
	ac.Reviews = app.ReviewConfig{Period: cmd.Duration("review-period")}
	if v := strings.TrimSpace(cmd.String("review-schedule")); v != "" && v != "none" {
		for _, d := range strings.Split(v, ",") {
			ac.Reviews.Schedule = append(ac.Reviews.Schedule, strings.TrimSpace(d))
		}
	}
	for _, v := range strings.Split(cmd.String("review-reminders"), ",") {
		if v = strings.TrimSpace(v); v == "" {
			continue
		}
		d, err := time.ParseDuration(v)
		if err != nil {
			d = -1 // refused by the settings check, which names the setting
		}
		ac.Reviews.Reminds = append(ac.Reviews.Reminds, d)
	}
	ac.Provisioner = app.ProvisionerConfig{Kind: cmd.String("provisioner"), URL: cmd.String("provisioner-url"),
		Secret: cmd.String("provisioner-secret"), Timeout: cmd.Duration("provisioning-timeout")}
	ac.AppAccessTTL = cmd.Duration("app-access-ttl")
	ac.AppRefreshTTL = cmd.Duration("app-refresh-ttl")
	ac.AppKeyRotation = cmd.Duration("app-key-rotation")
	ac.MinPassword = cmd.Int("min-password-length")
	ac.Argon2 = identity.Argon2Params{Time: uint32(cmd.Int("argon2-time")), Memory: uint32(cmd.Int("argon2-memory")),
		Threads: uint8(cmd.Int("argon2-threads"))}
	ac.PartnerAccess = map[domain.Edition]time.Duration{
		domain.EditionStandard:     cmd.Duration("partner-access-standard"),
		domain.EditionProfessional: cmd.Duration("partner-access-professional"),
	}
	ac.RequestTTL = cmd.Duration("access-request-ttl")
	ac.MFAFor = map[domain.UserType]bool{}
	for _, t := range strings.Split(cmd.String("mfa-required-for"), ",") {
		if t = strings.TrimSpace(t); t != "" && t != "none" {
			ac.MFAFor[domain.UserType(t)] = true
		}
	}
	ac.SessionIdle, ac.SessionAbsolute = cmd.Duration("session-idle"), cmd.Duration("session-absolute")
	ac.PasswordResetTTL = cmd.Duration("password-reset-ttl")
	ac.Throttle.AccountFailures, ac.Throttle.AddressFailures = cmd.Int("signin-account-failures"), cmd.Int("signin-address-failures")
	ac.Throttle.Lockout, ac.Throttle.Window = cmd.Duration("signin-lockout"), cmd.Duration("signin-lockout")
	ac.ReminderLead = cmd.Duration("access-reminder")
	ac.IdempotencyLease = cmd.Duration("idempotency-lease")
	ac.Throttle.ResetsPerAccount, ac.Throttle.ResetsPerAddress = cmd.Int("password-resets-per-account"), cmd.Int("password-resets-per-address")
	ac.MaxHashing = cmd.Int("max-password-hashing")
	return server.Config{Addr: addr, DatabaseURL: cmd.String("database-url"),
		DisposableDomainsFile: cmd.String("disposable-domains-file"), ShutdownTimeout: cmd.Duration("shutdown-timeout"), App: ac,
		SMTP: mail.SMTPConfig{Host: cmd.String("smtp-host"), Port: cmd.Int("smtp-port"), TLS: cmd.String("smtp-tls"),
			Username: cmd.String("smtp-username"), Password: cmd.String("smtp-password"), From: cmd.String("smtp-from")},
		Jobs: jobs.Config{SweepEvery: cmd.Duration("sweep-interval"), MaxAttempts: cmd.Int("delivery-attempts"),
			JobTimeout: cmd.Duration("job-timeout")}, OutboundLoopback: cmd.Bool("outbound-loopback"),
		SecretKeys: cmd.String("secrets-keys")}
}

// Clock is the time the server commands run with; tests replace it.
var Clock func() time.Time

func openServer(ctx context.Context, cmd *cli.Command, addr string) (*server.Server, *slog.Logger, error) {
	log, err := logger(cmd)
	if err != nil {
		return nil, nil, err
	}
	s, err := server.Open(ctx, serverConfig(cmd, addr), log, Clock)
	return s, log, err
}

func serve(ctx context.Context, cmd *cli.Command) error {
	ln, err := net.Listen("tcp", cmd.String("addr"))
	if err != nil {
		return err
	}
	addr := ln.Addr().String()
	if h, p, _ := net.SplitHostPort(cmd.String("addr")); h != "" && p != "0" {
		addr = cmd.String("addr")
	}
	s, log, err := openServer(ctx, cmd, addr)
	if err != nil {
		ln.Close()
		return err
	}
	defer s.Close()
	out := cmd.Root().Writer
	base := s.App.Config().BaseURL
	fmt.Fprintf(out, "Provisio is running at %s (database: %s, %s)\n", base, describeDB(cmd.String("database-url")), s.DB.Dialect())
	fmt.Fprintf(out, "API: %s/api/v1 (OpenAPI at %s/api/v1/openapi.json)\n", base, base)
	if ok, err := s.App.Bootstrapped(ctx); err == nil && !ok {
		fmt.Fprintf(out, "No operator yet? In another terminal run:\n  go run ./cmd/provisio bootstrap --email you@example.com --name \"Your Name\"\n")
	}
	log.Info("serving", "addr", ln.Addr().String())
	return s.Serve(ctx, ln)
}

func describeDB(url string) string {
	if i := strings.Index(url, "@"); i >= 0 && strings.Contains(url, "://") {
		return url[:strings.Index(url, "://")+3] + "…" + url[i:]
	}
	return url
}

func migrate(ctx context.Context, cmd *cli.Command) error {
	s, _, err := openServer(ctx, cmd, cmd.String("addr"))
	if err != nil {
		return err
	}
	defer s.Close()
	v, err := s.DB.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(cmd.Root().Writer, "Database %s is at schema version %d (River's migrations applied too).\n",
		describeDB(cmd.String("database-url")), v)
	return nil
}

func bootstrap(ctx context.Context, cmd *cli.Command) error {
	s, _, err := openServer(ctx, cmd, cmd.String("addr"))
	if err != nil {
		return err
	}
	defer s.Close()
	u, link, err := s.App.Bootstrap(ctx, cmd.String("vendor"), cmd.String("email"), cmd.String("name"))
	if err != nil {
		return err
	}
	out := cmd.Root().Writer
	fmt.Fprintf(out, "Created operator %s (%s).\nRegistration link (works once, until %s):\n  %s\n",
		u.Email, u.ID, u.InviteExpiresAt.Format(time.RFC3339), link)
	fmt.Fprintf(out, "Open it in a browser, or run:\n  provisio invitation accept %s\n", link)
	return nil
}

// conventions applies the CLI's conventions to every command: a wrong
// flag or argument is one line naming the command's help, not the whole
// help; and every "show" answers to "get" too.
func conventions(c *cli.Command) {
	c.OnUsageError = func(_ context.Context, cmd *cli.Command, err error, _ bool) error {
		return fmt.Errorf("%v (see: %s --help)", err, cmd.FullName())
	}
	if c.Name == "show" && !slices.Contains(c.Aliases, "get") {
		c.Aliases = append(c.Aliases, "get")
	}
	if act := c.Action; act != nil && hasIDFlag(c) {
		c.Action = func(ctx context.Context, cmd *cli.Command) error {
			if err := resolveFlags(ctx, cmd); err != nil {
				return err
			}
			return act(ctx, cmd)
		}
	}
	for _, sub := range c.Commands {
		conventions(sub)
	}
}

// hasIDFlag reports whether c takes a site, organisation or user by a flag.
func hasIDFlag(c *cli.Command) bool {
	for _, f := range c.Flags {
		for _, n := range f.Names() {
			if _, ok := idFlags[n]; ok {
				return true
			}
		}
	}
	return false
}

// Main runs the command line with args and returns the exit code.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	root := Root()
	conventions(root)
	root.Reader, root.Writer, root.ErrWriter = stdin, stdout, stderr
	root.ExitErrHandler = func(context.Context, *cli.Command, error) {}
	if err := root.Run(ctx, args); err != nil {
		var ec cli.ExitCoder
		if errors.As(err, &ec) {
			if msg := err.Error(); msg != "" {
				fmt.Fprintln(stderr, "error:", msg)
			}
			return ec.ExitCode()
		}
		fmt.Fprintln(stderr, "error:", err)
		return 1
	}
	return 0
}
