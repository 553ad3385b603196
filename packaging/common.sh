# Shared by the packaging scripts: version and build flags from FyneApp.toml and the commit,
# never from the clock, so the same commit always builds the same bytes.
set -euo pipefail
repo=$(git rev-parse --show-toplevel)
cd "$repo"
version=$(sed -n 's/^ *Version *= *"\(.*\)"/\1/p' FyneApp.toml)
app_id=$(sed -n 's/^ *ID *= *"\(.*\)"/\1/p' FyneApp.toml)
commit=$(git rev-parse --short=12 HEAD)
epoch=$(git log -1 --format=%ct)
build_date=$(TZ=UTC date -d "@$epoch" +%Y-%m-%dT%H:%M:%SZ)
export SOURCE_DATE_EPOCH=$epoch
export GOFLAGS="-trimpath -buildvcs=false"
ldflags="-s -w -buildid= -X handover/app/version.Version=$version -X handover/app/version.Commit=$commit -X handover/app/version.Date=$build_date"

# build_linux OUT: the Linux x86-64 binary.
build_linux() {
  CGO_ENABLED=1 GOOS=linux GOARCH=amd64 go build -ldflags "$ldflags" -o "$1" .
}

# deterministic_tar DIR NAME OUT: tar.xz of DIR/NAME with fixed order, owners and times.
deterministic_tar() {
  tar --sort=name --mtime="@$epoch" --owner=0 --group=0 --numeric-owner --format=gnu \
    -C "$1" -cf - "$2" | xz -T1 -9 -c >"$3"
}
