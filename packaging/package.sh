#!/usr/bin/env bash
# make package: every release artifact in dist/, with SHA256SUMS and its OpenSSH signature.
#   RELEASE_KEY=/path/to/ed25519-key make package   (without it: an unsigned build that says so)
source "$(dirname "$0")/common.sh"
dist=$repo/dist
rm -rf "$dist"
mkdir -p "$dist/build"
base=handover-$version

# fyne package rewrites FyneApp.toml (it bumps Build): keep the repository clean.
orig=$(mktemp)
cp FyneApp.toml "$orig"
cleanup() {
  cp "$orig" "$repo/FyneApp.toml"
  rm -f "$orig" "$repo"/rsrc_windows_*.syso
}
trap cleanup EXIT

echo "== Linux binary"
build_linux "$dist/build/handover"

echo "== Linux plain tarball"
stage=$dist/build/$base-linux-amd64
mkdir -p "$stage"
cp "$dist/build/handover" "$stage/handover"
cp packaging/linux/README.txt "$stage/README.txt"
cp docs/INSTALL.md "$stage/INSTALL.md"
cp assets/fonts/LICENSE-wqy-microhei.txt "$stage/LICENSE-font.txt"
touch -d "@$epoch" "$stage"/*
deterministic_tar "$dist/build" "$base-linux-amd64" "$dist/$base-linux-amd64.tar.xz"

echo "== Linux desktop package (fyne package)"
fyne=${FYNE:-$(go env GOPATH)/bin/fyne}
[[ -x $fyne ]] || GOFLAGS= go install fyne.io/tools/cmd/fyne@v1.7.4
mkdir -p "$dist/build/fyne"
(cd "$dist/build/fyne" && "$fyne" package --os linux --release --src "$repo" --executable "$dist/build/handover" \
  --name Handover --icon "$repo/assets/icon.png" --app-id "$app_id")
# Add the AppStream metainfo that fyne package does not write (and install it with the rest),
# then re-pack deterministically.
root=$dist/build/$base-linux-amd64-desktop
mkdir -p "$dist/build/fyne/x"
tar -xJf "$dist/build/fyne/Handover.tar.xz" -C "$dist/build/fyne/x"
mv "$dist/build/fyne/x/"* "$root"
mkdir -p "$root/usr/local/share/metainfo"
sed "s/@VERSION@/$version/; s/@DATE@/${build_date%%T*}/; s/@APPID@/$app_id/" packaging/linux/metainfo.xml \
  >"$root/usr/local/share/metainfo/$app_id.metainfo.xml"
meta='usr/local/share/metainfo/$(AppID).metainfo.xml'
sed -i -e "/^install:/a\\\tinstall -Dm00644 $meta \$(DESTDIR)\$(PREFIX)/share/metainfo/\$(AppID).metainfo.xml" \
  -e "/^uninstall:/a\\\t-rm \$(DESTDIR)\$(PREFIX)/share/metainfo/\$(AppID).metainfo.xml" "$root/Makefile"
find "$root" -exec touch -h -d "@$epoch" {} +
deterministic_tar "$dist/build" "$base-linux-amd64-desktop" "$dist/$base-linux-amd64-desktop.tar.xz"

echo "== Windows x86-64 GUI executable"
GOFLAGS= go run github.com/tc-hib/go-winres@v0.3.3 simply --arch amd64 --manifest gui \
  --icon assets/icon.png --product-name "Handover 客户资料交接" \
  --file-description "Handover 客户资料交接" --original-filename handover.exe \
  --product-version "$version" --file-version "$version.0" --copyright "Handover developers"
CGO_ENABLED=1 GOOS=windows GOARCH=amd64 CC=x86_64-w64-mingw32-gcc \
  go build -ldflags "$ldflags -H windowsgui -extldflags=-static" -o "$dist/$base-windows-amd64.exe" .
packaging/check-windows-dlls.sh "$dist/$base-windows-amd64.exe"

echo "== Checksums and signature"
(cd "$dist" && sha256sum -- *.tar.xz *.exe >SHA256SUMS)
if [[ -n ${RELEASE_KEY:-} ]]; then
  ssh-keygen -Y sign -q -f "$RELEASE_KEY" -n handover-release@v1 "$dist/SHA256SUMS"
  pub=${RELEASE_KEY}.pub
  [[ -f $pub ]] || pub=<(ssh-keygen -y -f "$RELEASE_KEY")
  echo "release@handover namespaces=\"handover-release@v1\" $(cut -d' ' -f1,2 "$pub")" >"$dist/allowed_signers"
  ssh-keygen -Y verify -f "$dist/allowed_signers" -I release@handover -n handover-release@v1 \
    -s "$dist/SHA256SUMS.sig" <"$dist/SHA256SUMS"
else
  echo "UNSIGNED build: no RELEASE_KEY was given. Do not distribute." >"$dist/UNSIGNED.txt"
  echo "WARNING: unsigned build (make package RELEASE_KEY=/path/to/ed25519-key to sign)" >&2
fi
rm -rf "$dist/build"
ls -l "$dist"
