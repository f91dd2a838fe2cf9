#!/usr/bin/env bash
# The tektoncd/catalog git-clone (0.10, from the corpus, unmodified) on the host runner. Its
# script calls /ko-app/git-init, Tekton's binary that exists only in its image; a symlink
# /ko-app/git-init -> baton runs baton's native clone with git-init's flags (the rest of the
# script uses the host's git CLI). /ko-app is made in a private root (unshare -m + pivot_root into
# bind mounts of the host's /usr and /etc), so the test leaves nothing on the machine.
#   usage: catalog_git_clone.sh BATON_BINARY CORPUS_DIR     (root: mount namespaces)
set -euo pipefail
baton=$(readlink -f "$1")
corpus=$(readlink -f "$2")
task=$corpus/tekton-catalog/task/git-clone/0.10/git-clone.yaml
[[ $(id -u) -eq 0 ]] || { echo "FAIL: needs root (mount namespace, chroot)"; exit 1; }
tmp=$(mktemp -d)
trap '[[ -n ${KEEP:-} ]] || rm -rf "$tmp"' EXIT

git init -q -b main "$tmp/src"
git -C "$tmp/src" -c user.name=t -c user.email=t@t commit -q --allow-empty -m one
echo two > "$tmp/src/f"
git -C "$tmp/src" add f
git -C "$tmp/src" -c user.name=t -c user.email=t@t commit -qm two
want=$(git -C "$tmp/src" rev-parse HEAD)
cat > "$tmp/run.yaml" <<YAML
apiVersion: tekton.dev/v1
kind: TaskRun
metadata: {name: catalog-git-clone}
spec:
  taskRef: {name: git-clone}
  params:
    - {name: url, value: "file://$tmp/src"}
    - {name: revision, value: main}
  workspaces: [{name: output, emptyDir: {}}]
YAML

unshare -m bash -euo pipefail -c '
  tmp=$1 baton=$2 corpus=$3 task=$4
  root=$tmp/root
  mount --make-rprivate /
  mkdir -p "$root"
  mount -t tmpfs tmpfs "$root"  # a mount point of its own, for pivot_root
  mkdir -p "$root"/{proc,ko-app}
  for d in bin sbin lib lib32 lib64 usr etc dev sys tmp; do
    if [[ -L /$d ]]; then
      ln -s "$(readlink "/$d")" "$root/$d"
    elif [[ -d /$d ]]; then
      mkdir -p "$root/$d"
      mount --rbind "/$d" "$root/$d"
    fi
  done
  mount -t proc proc "$root/proc"
  for p in "$(dirname "$baton")" "$corpus"; do mkdir -p "$root$p"; mount --bind "$p" "$root$p"; done
  ln -s "$baton" "$root/ko-app/git-init"
  # pivot_root, not chroot: a chrooted process may not make mount namespaces, and the host
  # runner gives each step one.
  mkdir -p "$root/.old"
  cd "$root"
  pivot_root . .old
  umount -l /.old
  cd /
  BATON_HOME=$tmp/home "$baton" run "$task" "$tmp/run.yaml" --output json \
    > "$tmp/out.json" 2> "$tmp/err.log"
' _ "$tmp" "$baton" "$corpus" "$task" || { cat "$tmp/err.log" "$tmp/out.json"; echo "FAIL: the run failed"; exit 1; }

got=$(python3 -c '
import json, sys
text = open(sys.argv[1]).read()
o = json.loads(text[text.index("\n{") + 1:])  # after the progress lines
o = o[0] if isinstance(o, list) else o
r = {x["name"]: x["value"] for x in o["status"]["results"]}
print(o["status"]["conditions"][0]["reason"], r["commit"], r["url"])' "$tmp/out.json")
[[ $got == "Succeeded $want file://$tmp/src" ]] || { cat "$tmp/err.log"; echo "FAIL: got $got, want Succeeded $want"; exit 1; }
echo "catalog git-clone 0.10 on the host runner: Succeeded, commit $want"
echo "1 passed, 0 failed"
