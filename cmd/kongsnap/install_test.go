package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// releaseServer serves release assets as GitHub does, <base>/<tag>/<file>: a kongsnap archive for this machine's
// platform and a checksums.txt, whose line for the archive is checksum (the real one when empty).
func releaseServer(t *testing.T, tag, checksum string) (string, string) {
	t.Helper()
	version := strings.TrimPrefix(tag, "v")
	archive := fmt.Sprintf("kongsnap_%s_%s_%s.tar.gz", version, runtime.GOOS, runtime.GOARCH)
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for _, name := range []string{"kongsnap", "kongsim"} {
		script := "#!/bin/sh\necho " + name + " " + tag + "\n"
		tw.WriteHeader(&tar.Header{Name: name, Mode: 0o755, Size: int64(len(script))})
		tw.Write([]byte(script))
	}
	tw.Close()
	zw.Close()
	if checksum == "" {
		checksum = fmt.Sprintf("%x", sha256.Sum256(buf.Bytes()))
	}
	files := map[string][]byte{
		"/" + tag + "/" + archive:         buf.Bytes(),
		"/" + tag + "/checksums.txt":      []byte(checksum + "  " + archive + "\n0000  kongsnap_" + version + "_other_os.tar.gz\n"),
		"/" + tag + "/kongsnap-extra.txt": []byte("x"),
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		data, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write(data)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, archive
}

// install runs scripts/action-install.sh as action.yml's install step does and returns its outputs.
func install(t *testing.T, env ...string) (map[string]string, string, string, error) {
	t.Helper()
	temp := t.TempDir()
	outputFile := filepath.Join(temp, "output")
	cmd := exec.Command("bash", "../../scripts/action-install.sh")
	goos := map[string]string{"linux": "Linux", "darwin": "macOS"}[runtime.GOOS]
	arch := map[string]string{"amd64": "X64", "arm64": "ARM64"}[runtime.GOARCH]
	cmd.Env = append(os.Environ(), "RUNNER_TEMP="+temp, "GITHUB_OUTPUT="+outputFile, "RUNNER_OS="+goos, "RUNNER_ARCH="+arch)
	cmd.Env = append(cmd.Env, env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cmd.Stdout = &stderr
	err := cmd.Run()
	outputs := map[string]string{}
	raw, _ := os.ReadFile(outputFile)
	for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			outputs[k] = v
		}
	}
	return outputs, stderr.String(), temp, err
}

func TestInstallDownloadsTheReleaseOfItsRef(t *testing.T) {
	base, _ := releaseServer(t, "v1.2.3", "")
	outputs, log, _, err := install(t, "KONGSNAP_REF=v1.2.3", "KONGSNAP_RELEASES="+base)
	if err != nil {
		t.Fatalf("install failed: %v\n%s", err, log)
	}
	if outputs["mode"] != "release" || outputs["version"] != "v1.2.3" {
		t.Errorf("outputs = %v", outputs)
	}
	out, err := exec.Command(filepath.Join(outputs["bin-dir"], "kongsnap")).Output()
	if err != nil || string(out) != "kongsnap v1.2.3\n" {
		t.Errorf("installed kongsnap says %q (%v)", out, err)
	}
	if _, err := os.Stat(filepath.Join(outputs["bin-dir"], "kongsim")); err != nil {
		t.Errorf("kongsim not installed: %v", err)
	}
}

func TestInstallRefusesAChecksumMismatch(t *testing.T) {
	base, archive := releaseServer(t, "v1.2.3", strings.Repeat("ab", 32))
	outputs, log, _, err := install(t, "KONGSNAP_REF=v1.2.3", "KONGSNAP_RELEASES="+base)
	if err == nil {
		t.Fatalf("a tampered archive was installed:\n%s", log)
	}
	if !strings.Contains(log, "checksum mismatch for "+archive+" of v1.2.3") || !strings.Contains(log, "refusing to run it") {
		t.Errorf("error does not say why:\n%s", log)
	}
	if _, err := os.Stat(filepath.Join(outputs["bin-dir"], "kongsnap")); err == nil {
		t.Error("the unverified binary was left in bin-dir")
	}
}

func TestInstallFailsClearlyWhenTheReleaseIsMissing(t *testing.T) {
	base, _ := releaseServer(t, "v1.2.3", "")
	_, log, _, err := install(t, "KONGSNAP_REF=v9.9.9", "KONGSNAP_RELEASES="+base)
	if err == nil || !strings.Contains(log, "downloading "+base+"/v9.9.9/checksums.txt failed") {
		t.Errorf("err %v, log:\n%s", err, log)
	}
}

func TestInstallBuildsFromSourceOnlyForNonReleases(t *testing.T) {
	for _, ref := range []string{"", "main", "feature/x", "0123456789abcdef0123456789abcdef01234567", "v1.2"} {
		t.Run(ref, func(t *testing.T) {
			src := t.TempDir() // a repository without tags: v1.2 resolves to nothing, which is an error, not a build
			gitRun(t, src, "git", "init", "-q")
			outputs, log, _, err := install(t, "KONGSNAP_REF="+ref, "KONGSNAP_RELEASES=http://127.0.0.1:9", "KONGSNAP_SOURCE="+src)
			if ref == "v1.2" {
				if err == nil || !strings.Contains(log, "tag v1.2 not found") {
					t.Errorf("err %v, log:\n%s", err, log)
				}
				return
			}
			if err != nil || outputs["mode"] != "source" {
				t.Errorf("err %v, outputs %v, log:\n%s", err, outputs, log)
			}
		})
	}
}

func TestInstallResolvesTheMajorTagToItsRelease(t *testing.T) {
	src := t.TempDir()
	gitRun(t, src, "git", "init", "-q")
	gitRun(t, src, "git", "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "--allow-empty", "-m", "one")
	gitRun(t, src, "git", "tag", "v1.1.0")
	gitRun(t, src, "git", "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "--allow-empty", "-m", "two")
	gitRun(t, src, "git", "-c", "user.name=t", "-c", "user.email=t@example.com", "tag", "-a", "-m", "v1.2.3", "v1.2.3")
	gitRun(t, src, "git", "tag", "v1")
	base, _ := releaseServer(t, "v1.2.3", "")
	outputs, log, _, err := install(t, "KONGSNAP_REF=v1", "KONGSNAP_RELEASES="+base, "KONGSNAP_SOURCE="+src)
	if err != nil || outputs["version"] != "v1.2.3" {
		t.Errorf("err %v, outputs %v, log:\n%s", err, outputs, log)
	}
}

func gitRun(t *testing.T, dir string, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
}
