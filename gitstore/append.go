package gitstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// A log branch holds append-only logs, files whose names end in ".jsonl", and files derived from them. Unlike a
// snapshot branch, whose every commit is a whole state, each commit on a log branch adds lines, so two runs that
// appended concurrently are merged by keeping every line of both: nothing is overwritten and nothing conflicts.

// Derive computes the files derived from a log branch's logs (a status page, say) from its whole tree. Its
// result replaces those files; it runs on every append and again on every merge, so derived files always
// describe the merged logs.
type Derive func(files map[string][]byte) (map[string][]byte, error)

// Append is what AppendLog commits.
type Append struct {
	// Branch is the log branch's full name, e.g. kongsnap/status.
	Branch string
	// Lines maps a log file's path (ending in .jsonl) to the lines to add at its end; each line ends in "\n".
	Lines map[string][]byte
	// Derive, optional, recomputes the derived files.
	Derive Derive
	// Summary is the first line of the commit message; Trailers end it.
	Summary  string
	Trailers []Trailer
}

// AppendLog commits a.Lines at the end of their files on a.Branch, creating the branch as an orphan when missing.
// Only the local repository is written; PushLog publishes.
func (s *Store) AppendLog(ctx context.Context, a Append) (Commit, error) {
	return s.commitExclusive(ctx, "appending to "+a.Branch, func() (Commit, error) { return s.appendLog(a) })
}

func (s *Store) appendLog(a Append) (Commit, error) {
	name, msg, err := s.writableBranch(a.Branch, a.Summary, "", a.Trailers)
	if err != nil {
		return Commit{}, err
	}
	head, err := s.repo.Storer.Reference(name)
	if err != nil && !errors.Is(err, plumbing.ErrReferenceNotFound) {
		return Commit{}, fmt.Errorf("reading branch: %w", err)
	}
	files := map[string][]byte{}
	var parents []plumbing.Hash
	if head != nil {
		if files, err = s.treeOf(head.Hash().String()); err != nil {
			return Commit{}, err
		}
		parents = []plumbing.Hash{head.Hash()}
	}
	for path, lines := range a.Lines {
		if !isLog(path) {
			return Commit{}, fmt.Errorf("file path %q: a log file's name ends in .jsonl", path)
		}
		files[path] = append(withNewline(files[path]), lines...)
	}
	if files, err = applyDerive(files, a.Derive); err != nil {
		return Commit{}, err
	}
	tree, err := s.writeTree(files, true, nil)
	if err != nil {
		return Commit{}, err
	}
	sig := object.Signature{Name: s.author.Name, Email: s.author.Email, When: s.clock()}
	hash, err := s.writeCommit(&object.Commit{Author: sig, Committer: sig, Message: msg, TreeHash: tree, ParentHashes: parents})
	if err != nil {
		return Commit{}, err
	}
	if err := s.repo.Storer.CheckAndSetReference(plumbing.NewHashReference(name, hash), head); err != nil {
		return Commit{}, fmt.Errorf("moving branch to %s: %w", hash, err)
	}
	c := Commit{Hash: hash.String(), Time: sig.When}
	c.Summary, c.Trailers = parseMessage(msg)
	s.log.Debug("appended to log branch", "branch", a.Branch, "commit", c.Hash, "files", len(a.Lines))
	return c, nil
}

// PushLog publishes a log branch to every remote, never forcing it. When a remote's branch moved since this store
// last saw it (another run appended first), the local logs are merged with the remote's, line by line, derive
// recomputes the derived files, and the result is committed on top of the remote head and pushed again, up to
// PushRetries times. Every remote is tried; the error names each one that failed, and the commits stay local, to
// be merged and pushed by the next PushLog.
func (s *Store) PushLog(ctx context.Context, branch string, derive Derive) error {
	done, err := s.exclusive(ctx)
	if err != nil {
		return s.secrets.errorf("pushing %s: %w", branch, err)
	}
	defer done()
	name, err := branchRef(branch)
	if err != nil {
		return fmt.Errorf("pushing: %w", err)
	}
	if _, err := s.repo.Storer.Reference(name); err != nil {
		return fmt.Errorf("pushing %s: local branch: %w", branch, unknownIfNotFound(err, branch))
	}
	merge := func(branch plumbing.ReferenceName, onto plumbing.Hash, r *remote) error {
		return s.mergeLog(branch, onto, derive, r)
	}
	var errs []error
	for _, r := range s.remotes {
		if _, _, err := s.pushTo(ctx, r, name, nil, merge); err != nil {
			errs = append(errs, fmt.Errorf("pushing %s to %s: %w", branch, r.display, err))
		}
	}
	return s.secrets.error(errors.Join(errs...))
}

// mergeLog makes the local log branch a descendant of onto (a remote head): one commit on top of onto whose logs
// hold onto's lines followed by the local lines onto lacks, with the local head's message.
func (s *Store) mergeLog(branch plumbing.ReferenceName, onto plumbing.Hash, derive Derive, r *remote) error {
	head, local, target, err := s.diverged(branch, onto)
	if err != nil || local == nil {
		return err
	}
	localFiles, err := s.treeOf(local.Hash.String())
	if err != nil {
		return err
	}
	merged, err := s.treeOf(onto.String())
	if err != nil {
		return err
	}
	for path, content := range localFiles {
		if isLog(path) {
			merged[path] = unionLines(merged[path], content)
		} else if _, ok := merged[path]; !ok {
			merged[path] = content
		}
	}
	if merged, err = applyDerive(merged, derive); err != nil {
		return err
	}
	tree, err := s.writeTree(merged, true, nil)
	if err != nil {
		return err
	}
	next := onto
	if tree != target.TreeHash {
		committer := object.Signature{Name: s.author.Name, Email: s.author.Email, When: s.clock()}
		if next, err = s.writeCommit(&object.Commit{
			Author: local.Author, Committer: committer, Message: local.Message, TreeHash: tree, ParentHashes: []plumbing.Hash{onto},
		}); err != nil {
			return err
		}
	}
	if err := s.repo.Storer.CheckAndSetReference(plumbing.NewHashReference(branch, next), head); err != nil {
		return fmt.Errorf("moving local branch to %s: %w", next, err)
	}
	s.log.Info("merged local log lines with the remote's", "branch", branch.Short(), "remote", r.display, "head", next.String())
	return nil
}

// applyDerive replaces the derived files of a log tree with what d computes from it.
func applyDerive(files map[string][]byte, d Derive) (map[string][]byte, error) {
	if d == nil {
		return files, nil
	}
	derived, err := d(files)
	if err != nil {
		return nil, fmt.Errorf("deriving files: %w", err)
	}
	for path, content := range derived {
		if isLog(path) {
			return nil, fmt.Errorf("deriving files: %q is a log file, which only appends write", path)
		}
		files[path] = content
	}
	return files, nil
}

func isLog(path string) bool { return strings.HasSuffix(path, ".jsonl") }

// unionLines returns base's lines followed by the lines of other that base lacks, in other's order.
func unionLines(base, other []byte) []byte {
	have := map[string]bool{}
	for _, line := range bytes.SplitAfter(base, []byte("\n")) {
		have[string(bytes.TrimSuffix(line, []byte("\n")))] = true
	}
	out := withNewline(base)
	for _, line := range bytes.SplitAfter(other, []byte("\n")) {
		text := bytes.TrimSuffix(line, []byte("\n"))
		if len(text) == 0 || have[string(text)] {
			continue
		}
		have[string(text)] = true
		out = append(append(out, text...), '\n')
	}
	return out
}

func withNewline(b []byte) []byte {
	if len(b) > 0 && b[len(b)-1] != '\n' {
		return append(b, '\n')
	}
	return b
}
