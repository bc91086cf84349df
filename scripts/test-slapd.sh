#!/usr/bin/env bash
# Starts a private OpenLDAP server for the directory-account tests
# (R-APP-3): its own folder, a loopback port, the ppolicy overlay with a
# policy that makes an administrator-set password one to change at first
# use, and an organisational unit for the accounts.
#
#   scripts/test-slapd.sh DIR PORT
#
# Prints nothing on success; the server's pid is in DIR/slapd.pid. The
# directory is dc=provisio,dc=test, its manager cn=admin,dc=provisio,dc=test
# with the password "admin-secret", and accounts go under
# ou=people,dc=provisio,dc=test.
set -euo pipefail
dir=$1 port=$2
slapd=$(command -v slapd || echo /usr/sbin/slapd)
mkdir -p "$dir/data"
cat > "$dir/slapd.conf" <<CONF
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include /etc/ldap/schema/nis.schema
modulepath /usr/lib/ldap
moduleload back_mdb
moduleload ppolicy
pidfile $dir/slapd.pid
database mdb
maxsize 104857600
suffix "dc=provisio,dc=test"
rootdn "cn=admin,dc=provisio,dc=test"
rootpw admin-secret
directory $dir/data
overlay ppolicy
ppolicy_default "cn=default,ou=policies,dc=provisio,dc=test"
ppolicy_hash_cleartext
ppolicy_use_lockout
access to attrs=userPassword by self write by anonymous auth by * none
access to * by self read by users read by * none
CONF
"$slapd" -f "$dir/slapd.conf" -h "ldap://127.0.0.1:$port/" -s 0
for _ in $(seq 1 50); do
  ldapsearch -x -H "ldap://127.0.0.1:$port/" -b "" -s base >/dev/null 2>&1 && break
  sleep 0.1
done
ldapadd -x -H "ldap://127.0.0.1:$port/" -D "cn=admin,dc=provisio,dc=test" -w admin-secret >/dev/null <<LDIF
dn: dc=provisio,dc=test
objectClass: dcObject
objectClass: organization
dc: provisio
o: Provisio test directory

dn: ou=policies,dc=provisio,dc=test
objectClass: organizationalUnit
ou: policies

dn: cn=default,ou=policies,dc=provisio,dc=test
objectClass: device
objectClass: pwdPolicy
cn: default
pwdAttribute: userPassword
pwdMustChange: TRUE
pwdAllowUserChange: TRUE
pwdLockout: TRUE

dn: ou=people,dc=provisio,dc=test
objectClass: organizationalUnit
ou: people
LDIF
