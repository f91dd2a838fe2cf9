#!/usr/bin/env python3
"""`baton run --runner kubernetes --kubeconfig FILE` against the fake cluster over TLS: the
pipeline runs as pods, its result crosses pods, and the step output reaches the terminal;
finished pods are deleted, and kept with --kube-keep-pods.

usage: cli_test.py BATON FAKE_KUBE_API
"""
import os
import subprocess
import sys
import tempfile

PIPELINE = """
apiVersion: tekton.dev/v1
kind: PipelineRun
metadata: {name: cli-kube}
spec:
  pipelineSpec:
    tasks:
    - name: make
      taskSpec:
        results: [{name: word}]
        steps:
        - name: write
          image: busybox
          script: printf kube-word > $(results.word.path)
    - name: use
      params: [{name: w, value: "$(tasks.make.results.word)"}]
      taskSpec:
        params: [{name: w}]
        steps:
        - name: show
          image: busybox
          script: echo "got $(params.w)"
"""


def main():
    baton, fake = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as d:
        server = subprocess.Popen([fake, d], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  text=True)
        try:
            url = server.stdout.readline().strip()
            if not url.startswith("https://"):
                print("fake server did not start: %r" % url)
                return 1
            path = os.path.join(d, "p.yaml")
            with open(path, "w") as f:
                f.write(PIPELINE)
            env = dict(os.environ, BATON_HOME=os.path.join(d, "home"), NO_COLOR="1")
            run = subprocess.run([baton, "run", "--runner", "kubernetes", "--kubeconfig",
                                  os.path.join(d, "kubeconfig"), path],
                                 capture_output=True, text=True, timeout=60, env=env)
            print(run.stdout[-3000:])
            print(run.stderr[-2000:])
            # Again with --kube-keep-pods: the first run's pods were deleted when it finished
            # (same pod names, no 409), this run's stay.
            kept = subprocess.run([baton, "run", "--runner", "kubernetes", "--kubeconfig",
                                   os.path.join(d, "kubeconfig"), "--kube-keep-pods", path],
                                  capture_output=True, text=True, timeout=60, env=env)
            print(kept.stderr[-2000:])
        finally:
            server.stdin.close()
            rest = server.stdout.read()
            server.wait(timeout=30)
        failures = []
        if run.returncode != 0:
            failures.append("baton run exited %d" % run.returncode)
        if "got kube-word" not in run.stdout:
            failures.append("step output of the second pod missing")
        if kept.returncode != 0:
            failures.append("baton run --kube-keep-pods exited %d" % kept.returncode)
        if "creates=4 pods=2" not in rest:
            failures.append("want 4 pods created and the 2 kept ones left, server says: %r" % rest)
        for f in failures:
            print("FAIL " + f)
        return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
