# Sourced by scripts/test.sh (as root): `ensure_test_postgres` installs Debian's PostgreSQL
# when missing, starts its cluster, makes the test role, and prints the URL the tests use
# to create (and drop) one database per test session.
ensure_test_postgres() {
  if ! command -v pg_lsclusters >/dev/null || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  fi
  local version name port status
  if [ -z "$(pg_lsclusters -h 2>/dev/null)" ]; then
    version=$(ls /usr/lib/postgresql | sort -V | tail -n1)
    pg_createcluster "$version" main >/dev/null
  fi
  read -r version name port status _ < <(pg_lsclusters -h | head -n1)
  if [ "$status" != online ]; then
    pg_ctlcluster "$version" "$name" start >&2
  fi
  # (a password unlike the role's name: tests look for it in files that must not hold it)
  local role=airclass_test password=ac-test-pw-7Q2
  runuser -u postgres -- psql -p "$port" -qtAc \
    "DO \$\$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$role') THEN
       CREATE ROLE $role LOGIN CREATEDB; END IF; END\$\$;
     ALTER ROLE $role PASSWORD '$password';" >&2
  echo "postgresql://$role:$password@127.0.0.1:$port/postgres"
}
