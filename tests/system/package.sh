#!/usr/bin/env bash
# deploy/package.sh makes a signerd .deb that holds what an operator needs
# and works where it lands:
#   - dpkg-deb reads it: name, version of CMakeLists.txt, Depends from
#     dpkg-shlibdeps, softhsm2 recommended, the config as a conffile, every
#     file owned by root; lintian's tags are printed (not judged);
#   - extracted into an empty tree, its own signerd accepts its own
#     /etc/signerd/signerd.yaml with --check (a throw-away SoftHSM2 token),
#     and so does the example zone the file carries commented out;
#   - its man pages render with groff -ww without a warning;
#   - postinst makes the signerd user and group once, however often it runs
#     (adduser and friends are stubs here: nothing outside $SYS_WORK changes),
#     and postrm purge removes the link an operator's `systemctl enable` left.
#   package.sh SIGNERD_BINARY      (its build tree: the directory above bin/)
source "$(dirname "$0")/prelude.sh" "$@"

build=$(dirname "$(dirname "$signerd_bin")")
version=$(sed -n 's/^project([^)]* VERSION \([0-9][0-9.]*\).*/\1/p' "$root/CMakeLists.txt")

step "deploy/package.sh $build"
deb=$(bash "$root/deploy/package.sh" "$build" "$SYS_WORK/out")
[[ $(basename "$deb") == "signerd_${version}_$(dpkg --print-architecture).deb" ]] || fail "package named $deb"
[[ -s $deb ]] || fail "no $deb"

step "dpkg-deb --info: control fields and conffiles"
dpkg-deb --info "$deb" >"$SYS_WORK/info"
field() { dpkg-deb --field "$deb" "$1"; }
[[ $(field Package) == signerd ]] || fail "Package: $(field Package)"
[[ $(field Version) == "$version" ]] || fail "Version: $(field Version), CMakeLists.txt says $version"
for lib in libc6 libstdc++6 libssl3 libsqlite3-0 libyaml-cpp0.7 adduser; do
  field Depends | grep -q "\b$lib\b" || fail "Depends lacks $lib: $(field Depends)"
done
[[ $(field Recommends) == *softhsm2* ]] || fail "Recommends: $(field Recommends)"
mkdir "$SYS_WORK/control"
dpkg-deb --control "$deb" "$SYS_WORK/control"
[[ $(cat "$SYS_WORK/control/conffiles") == /etc/signerd/signerd.yaml ]] ||
  fail "conffiles: $(cat "$SYS_WORK/control/conffiles")"
for script in postinst prerm postrm; do
  [[ -x $SYS_WORK/control/$script ]] || fail "no executable $script"
  sh -n "$SYS_WORK/control/$script" || fail "$script: syntax"
done

step "dpkg-deb --contents: the files, owned by root"
dpkg-deb --contents "$deb" >"$SYS_WORK/contents"
for path in ./usr/sbin/signerd ./usr/sbin/signerctl ./lib/systemd/system/signerd.service \
  ./etc/signerd/signerd.yaml ./usr/share/man/man8/signerd.8.gz ./usr/share/man/man8/signerctl.8.gz \
  ./usr/share/man/man5/signerd.yaml.5.gz; do
  grep -q " $path\$" "$SYS_WORK/contents" || { cat "$SYS_WORK/contents"; fail "no $path"; }
done
if awk '$2 != "root/root"' "$SYS_WORK/contents" | grep .; then fail "files not owned by root/root"; fi

if command -v lintian >/dev/null; then
  step "lintian (tags reported, not judged)"
  lintian --tag-display-limit 0 "$deb" 2>&1 | sed 's/^/  /' || true
fi

step "extracted into an empty tree, signerd --check accepts the shipped config"
tree=$SYS_WORK/root
dpkg-deb -x "$deb" "$tree"
cmp "$tree/lib/systemd/system/signerd.service" "$root/deploy/signerd.service" || fail "the unit differs"
signerd_token
install -m 0600 "$SYS_WORK/hsm/pin" "$tree/etc/signerd/hsm.pin"
check() { "$tree/usr/sbin/signerd" --check --config "$1" >"$SYS_WORK/check" 2>&1; }
check "$tree/etc/signerd/signerd.yaml" || { cat "$SYS_WORK/check"; fail "the shipped config was refused"; }
grep -q "ok (0 zones)" "$SYS_WORK/check" || fail "no ok line: $(cat "$SYS_WORK/check")"
"$tree/usr/sbin/signerctl" --help >/dev/null 2>&1 || fail "the extracted signerctl does not run"

step "the commented example zone and TSIG key, uncommented, pass too"
sed -e 's/^# tsig:/tsig:/' -e 's/^#   - {name: xfr-key/  - {name: xfr-key/' -e 's/^zones: \[\]$/zones:/' \
  -e 's/^#  - name: /  - name: /' -e 's/^#    /    /' "$tree/etc/signerd/signerd.yaml" >"$tree/etc/signerd/example.yaml"
(umask 077 && head -c 32 /dev/urandom | base64 >"$tree/etc/signerd/xfr-key.b64")
check "$tree/etc/signerd/example.yaml" || { cat "$SYS_WORK/check"; fail "the example zone was refused"; }
grep -q "ok (1 zones)" "$SYS_WORK/check" || fail "the example has no zone: $(cat "$SYS_WORK/check")"

step "the man pages render without warnings"
for page in man8/signerd.8 man8/signerctl.8 man5/signerd.yaml.5; do
  warnings=$(gzip -dc "$tree/usr/share/man/$page.gz" | groff -man -ww -z 2>&1)
  [[ -z $warnings ]] || fail "$page: $warnings"
done

step "postinst makes the user and group once; postrm purge removes the enable link"
stubs=$SYS_WORK/stubs
mkdir -p "$stubs" "$SYS_WORK/db"
printf 'softhsm:x:995:\n' >"$SYS_WORK/db/group"
: >"$SYS_WORK/db/passwd"
# getent DB NAME; addgroup/adduser record what they were asked and add the
# entry they would; systemctl and deb-systemd-invoke only record.
cat >"$stubs/getent" <<STUB
#!/bin/sh
grep "^\$2:" "$SYS_WORK/db/\$1"
STUB
cat >"$stubs/addgroup" <<STUB
#!/bin/sh
echo "addgroup \$*" >>"$SYS_WORK/db/log"
for a; do name=\$a; done
echo "\$name:x:990:" >>"$SYS_WORK/db/group"
STUB
cat >"$stubs/adduser" <<STUB
#!/bin/sh
echo "adduser \$*" >>"$SYS_WORK/db/log"
case " \$* " in *" --system "*) for a; do name=\$a; done; echo "\$name:x:990:990::/var/lib/signerd:/usr/sbin/nologin" >>"$SYS_WORK/db/passwd" ;; esac
STUB
for tool in systemctl deb-systemd-invoke; do
  printf '#!/bin/sh\necho "%s $*" >>"%s/db/log"\n' "$tool" "$SYS_WORK" >"$stubs/$tool"
done
chmod +x "$stubs"/*
for run in 1 2; do
  PATH=$stubs:$PATH sh "$SYS_WORK/control/postinst" configure || fail "postinst configure (run $run) failed"
done
[[ $(grep -c "^addgroup --system .* signerd$" "$SYS_WORK/db/log") == 1 ]] || fail "addgroup: $(cat "$SYS_WORK/db/log")"
[[ $(grep -c "^adduser --system .*--ingroup signerd .* signerd$" "$SYS_WORK/db/log") == 1 ]] ||
  fail "adduser --system: $(cat "$SYS_WORK/db/log")"
grep -q "^adduser --quiet signerd softhsm$" "$SYS_WORK/db/log" || fail "signerd not added to softhsm: $(cat "$SYS_WORK/db/log")"
mkdir -p "$SYS_WORK/dpkgroot/etc/systemd/system/multi-user.target.wants"
ln -s /lib/systemd/system/signerd.service "$SYS_WORK/dpkgroot/etc/systemd/system/multi-user.target.wants/signerd.service"
PATH=$stubs:$PATH sh "$SYS_WORK/control/prerm" remove || fail "prerm remove failed"
PATH=$stubs:$PATH DPKG_ROOT=$SYS_WORK/dpkgroot sh "$SYS_WORK/control/postrm" purge || fail "postrm purge failed"
[[ ! -L $SYS_WORK/dpkgroot/etc/systemd/system/multi-user.target.wants/signerd.service ]] ||
  fail "postrm purge left the multi-user.target.wants link"
echo "PASS"
