// Package directory keeps accounts in a site's LDAP directory (R-APP-3):
// an account for each person Provisio lets into the site, created with a
// one-time password that must be changed at first use, and disabled the
// moment the person's access ends. OpenLDAP (with the ppolicy overlay) and
// Active Directory are spoken to with the same LDAP v3 calls, differing
// only in the attributes that carry the password and the account state.
package directory

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/go-ldap/ldap/v3"
)

// The flavours of directory.
const (
	OpenLDAP        = "openldap"
	ActiveDirectory = "ad"
)

// Config is how to reach a site's directory and where its accounts live.
type Config struct {
	URL          string // ldap://host:389 or ldaps://host:636
	StartTLS     bool   // upgrade an ldap:// connection with StartTLS
	CAPEM        string // certificates to trust besides the system's, PEM
	BindDN       string // the account Provisio manages entries with
	BindPassword string
	BaseDN       string // where accounts are created: ou=people,dc=example,dc=com
	Flavor       string // OpenLDAP or ActiveDirectory
	LoginAttr    string // the naming attribute; default uid (OpenLDAP) or sAMAccountName (AD)
}

// Validate reports settings that cannot work, in plain words. A
// directory reached without TLS is allowed on this machine only, since the
// one-time passwords cross the connection.
func (c Config) Validate() error {
	u, err := url.Parse(c.URL)
	switch {
	case err != nil || (u.Scheme != "ldap" && u.Scheme != "ldaps") || u.Hostname() == "":
		return errors.New("the directory URL must be ldap://host[:port] or ldaps://host[:port]")
	case c.Flavor != OpenLDAP && c.Flavor != ActiveDirectory:
		return fmt.Errorf("the directory kind must be %q or %q", OpenLDAP, ActiveDirectory)
	case strings.TrimSpace(c.BindDN) == "" || c.BindPassword == "":
		return errors.New("the directory needs a bind DN and its password")
	case strings.TrimSpace(c.BaseDN) == "":
		return errors.New("the directory needs a base DN for the accounts")
	case u.Scheme == "ldap" && !c.StartTLS && !loopback(u.Hostname()):
		return errors.New("passwords would cross the network in clear: use ldaps:// or StartTLS")
	case c.Flavor == ActiveDirectory && u.Scheme == "ldap" && !c.StartTLS:
		return errors.New("an Active Directory takes passwords over TLS only: use ldaps:// or StartTLS")
	}
	if _, err := ldap.ParseDN(c.BaseDN); err != nil {
		return fmt.Errorf("the base DN is not a DN: %v", err)
	}
	if c.CAPEM != "" && !x509.NewCertPool().AppendCertsFromPEM([]byte(c.CAPEM)) {
		return errors.New("the CA certificates are not PEM certificates")
	}
	return nil
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (c Config) loginAttr() string {
	switch {
	case c.LoginAttr != "":
		return c.LoginAttr
	case c.Flavor == ActiveDirectory:
		return "sAMAccountName"
	}
	return "uid"
}

// Account is the person an account is for.
type Account struct {
	Login string // the naming attribute's value: the person's email address
	Name  string
	Email string
}

// DN is where the account lives.
func (c Config) DN(login string) string {
	return c.loginAttr() + "=" + ldap.EscapeDN(login) + "," + c.BaseDN
}

// Conn is a bound connection to a directory.
type Conn struct {
	cfg  Config
	conn *ldap.Conn
}

// timeout bounds every exchange with the directory.
const timeout = 10 * time.Second

// Dial connects and binds as the configured manager.
func Dial(ctx context.Context, cfg Config) (*Conn, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	u, _ := url.Parse(cfg.URL)
	tc := &tls.Config{ServerName: u.Hostname(), MinVersion: tls.VersionTLS12}
	if cfg.CAPEM != "" {
		pool, err := x509.SystemCertPool()
		if err != nil {
			pool = x509.NewCertPool()
		}
		pool.AppendCertsFromPEM([]byte(cfg.CAPEM))
		tc.RootCAs = pool
	}
	d := &net.Dialer{Timeout: timeout}
	if dl, ok := ctx.Deadline(); ok {
		d.Deadline = dl
	}
	conn, err := ldap.DialURL(cfg.URL, ldap.DialWithDialer(d), ldap.DialWithTLSConfig(tc))
	if err != nil {
		return nil, err
	}
	conn.SetTimeout(timeout)
	if cfg.StartTLS && u.Scheme == "ldap" {
		if err := conn.StartTLS(tc); err != nil {
			conn.Close()
			return nil, err
		}
	}
	if err := conn.Bind(cfg.BindDN, cfg.BindPassword); err != nil {
		conn.Close()
		return nil, err
	}
	return &Conn{cfg: cfg, conn: conn}, nil
}

// Close ends the connection.
func (c *Conn) Close() error { return c.conn.Close() }

// Check reads the base DN, to prove the settings work.
func (c *Conn) Check() error {
	_, err := c.conn.Search(ldap.NewSearchRequest(c.cfg.BaseDN, ldap.ScopeBaseObject, ldap.NeverDerefAliases, 1, int(timeout/time.Second),
		false, "(objectClass=*)", []string{"1.1"}, nil))
	return err
}

// Ensure makes the account exist, enabled, with password as a one-time
// password to be changed at first use. It may run again after a crash or a
// lost answer: an account already there is given the password again, so
// the outcome is the same.
func (c *Conn) Ensure(a Account, password string) (string, error) {
	dn := c.cfg.DN(a.Login)
	add := ldap.NewAddRequest(dn, nil)
	first, last := splitName(a.Name)
	if c.cfg.Flavor == ActiveDirectory {
		add.Attribute("objectClass", []string{"top", "person", "organizationalPerson", "user"})
		add.Attribute("sAMAccountName", []string{samName(a.Login)})
		add.Attribute("userPrincipalName", []string{a.Login})
		add.Attribute("unicodePwd", []string{adPassword(password)})
		add.Attribute("userAccountControl", []string{"512"}) // a normal, enabled account
		add.Attribute("pwdLastSet", []string{"0"})           // must change at next logon
	} else {
		add.Attribute("objectClass", []string{"inetOrgPerson"})
		add.Attribute("userPassword", []string{password})
		add.Attribute("pwdReset", []string{"TRUE"}) // ppolicy: change at first use
	}
	if c.cfg.loginAttr() != "sAMAccountName" && c.cfg.loginAttr() != "cn" {
		add.Attribute(c.cfg.loginAttr(), []string{a.Login})
	}
	add.Attribute("cn", []string{a.Name})
	add.Attribute("sn", []string{last})
	if first != "" {
		add.Attribute("givenName", []string{first})
	}
	add.Attribute("mail", []string{a.Email})
	err := c.conn.Add(add)
	if !ldap.IsErrorWithCode(err, ldap.LDAPResultEntryAlreadyExists) {
		return dn, err
	}
	// There already: set the password again and enable the account.
	mod := ldap.NewModifyRequest(dn, nil)
	if c.cfg.Flavor == ActiveDirectory {
		mod.Replace("unicodePwd", []string{adPassword(password)})
		mod.Replace("userAccountControl", []string{"512"})
		mod.Replace("pwdLastSet", []string{"0"})
	} else {
		mod.Replace("userPassword", []string{password})
		mod.Replace("pwdReset", []string{"TRUE"})
	}
	if err := c.conn.Modify(mod); err != nil {
		return dn, err
	}
	if c.cfg.Flavor != ActiveDirectory {
		unlock := ldap.NewModifyRequest(dn, nil)
		unlock.Delete("pwdAccountLockedTime", nil)
		if err := c.conn.Modify(unlock); err != nil && !ldap.IsErrorWithCode(err, ldap.LDAPResultNoSuchAttribute) {
			return dn, err
		}
	}
	return dn, nil
}

// Disable stops the account at dn from signing in: OpenLDAP's ppolicy
// lock for good, or Active Directory's disabled flag. An account that is
// gone already counts as disabled.
func (c *Conn) Disable(dn string) error {
	mod := ldap.NewModifyRequest(dn, nil)
	if c.cfg.Flavor == ActiveDirectory {
		mod.Replace("userAccountControl", []string{"514"})
	} else {
		mod.Replace("pwdAccountLockedTime", []string{"000001010000Z"})
	}
	err := c.conn.Modify(mod)
	if ldap.IsErrorWithCode(err, ldap.LDAPResultNoSuchObject) {
		return nil
	}
	return err
}

func splitName(name string) (first, last string) {
	name = strings.TrimSpace(name)
	if i := strings.LastIndex(name, " "); i > 0 {
		return name[:i], name[i+1:]
	}
	return "", name
}

// samName is the pre-Windows 2000 logon name: at most 20 characters of
// the address's local part.
func samName(login string) string {
	local, _, _ := strings.Cut(login, "@")
	if len(local) > 20 {
		local = local[:20]
	}
	return local
}

// adPassword is a password as Active Directory's unicodePwd takes it:
// quoted, in UTF-16 little-endian.
func adPassword(pw string) string {
	u := utf16.Encode([]rune(`"` + pw + `"`))
	b := make([]byte, 2*len(u))
	for i, r := range u {
		b[2*i], b[2*i+1] = byte(r), byte(r>>8)
	}
	return string(b)
}

// Explain says in plain words what went wrong talking to a directory.
func Explain(err error) string {
	var le *ldap.Error
	var ne net.Error
	switch {
	case err == nil:
		return ""
	case ldap.IsErrorWithCode(err, ldap.LDAPResultInvalidCredentials):
		return "the directory refused the bind DN or its password"
	case ldap.IsErrorWithCode(err, ldap.LDAPResultNoSuchObject):
		return "the base DN does not exist in the directory"
	case ldap.IsErrorWithCode(err, ldap.LDAPResultInsufficientAccessRights):
		return "the bind DN may not create or change accounts there"
	case ldap.IsErrorWithCode(err, ldap.LDAPResultConstraintViolation):
		return "the directory refused the password or an attribute (constraint violation): " + ldapText(err)
	case ldap.IsErrorWithCode(err, ldap.LDAPResultObjectClassViolation), ldap.IsErrorWithCode(err, ldap.LDAPResultUndefinedAttributeType):
		return "the directory's schema does not take the account's attributes: " + ldapText(err)
	case errors.As(err, &ne) && ne.Timeout():
		return "the directory did not answer in time"
	case ldap.IsErrorWithCode(err, ldap.ErrorNetwork):
		return "the directory cannot be reached: " + ldapText(err)
	case errors.As(err, &le):
		return "the directory answered: " + ldapText(err)
	}
	return err.Error()
}

func ldapText(err error) string {
	var le *ldap.Error
	if errors.As(err, &le) {
		if le.Err != nil {
			return le.Err.Error()
		}
		return ldap.LDAPResultCodeMap[le.ResultCode]
	}
	return err.Error()
}
