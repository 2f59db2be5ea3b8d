package gitstore

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// ErrUnchanged is returned (possibly wrapped) by Save when the snapshot's tree equals its parent's: no commit and
// no tag were made. It is an expected outcome, not a failure.
var ErrUnchanged = errors.New("tree unchanged")

// CommitRequest is what Save commits: a whole snapshot tree, its message and an optional tag.
type CommitRequest struct {
	// Branch is the full branch name: Store.Branch(connection) for an environment, kongsnap/drift/<name> for drift.
	Branch string
	// Base, optional, is the branch whose head a missing Branch starts from. Without it a missing Branch starts as
	// an orphan with no parent.
	Base string
	// Files is the whole tree, slash-separated relative path → content. It replaces everything at the branch root:
	// files absent from the map are absent from the commit.
	Files map[string][]byte
	// Summary is the first line of the commit message.
	Summary string
	// Body is an optional paragraph after the summary.
	Body string
	// Trailers end the message, e.g. Kongsnap-Connection: prod.
	Trailers []Trailer
	// Tag, optional, names a tag to create on the new commit, e.g. kongsnap/prod/2026-11-22T1430Z. It must not
	// exist yet.
	Tag string
}

// Save commits snap.Files as the new head of snap.Branch, creating the branch when missing, and creates snap.Tag on
// the commit. When the tree equals the parent commit's it returns ErrUnchanged and changes nothing. Only the local
// repository is written; Push publishes.
func (s *Store) Save(ctx context.Context, snap CommitRequest) (Commit, error) {
	return s.commitExclusive(ctx, "saving snapshot to "+snap.Branch, func() (Commit, error) { return s.save(snap) })
}

// commitExclusive runs write, which commits to the local repository, holding the store's lock; what ("saving
// snapshot to kongsnap/prod") starts its error.
func (s *Store) commitExclusive(ctx context.Context, what string, write func() (Commit, error)) (Commit, error) {
	if err := ctx.Err(); err != nil {
		return Commit{}, fmt.Errorf("%s: %w", what, err)
	}
	done, err := s.exclusive(ctx)
	if err != nil {
		return Commit{}, s.secrets.errorf("%s: %w", what, err)
	}
	defer done()
	c, err := write()
	if err != nil {
		return Commit{}, s.secrets.errorf("%s: %w", what, err)
	}
	return c, nil
}

// writableBranch resolves branch to a ref the store may commit to (never the working tree's checked-out branch)
// and formats the commit message.
func (s *Store) writableBranch(branch, summary, body string, trailers []Trailer) (plumbing.ReferenceName, string, error) {
	name, err := branchRef(branch)
	if err != nil {
		return "", "", err
	}
	if name == s.checkedOutBranch() {
		return "", "", errors.New("branch is checked out in the working tree, which the store never touches")
	}
	msg, err := formatMessage(summary, body, trailers)
	if err != nil {
		return "", "", err
	}
	return name, msg, nil
}

func (s *Store) save(snap CommitRequest) (Commit, error) {
	name, msg, err := s.writableBranch(snap.Branch, snap.Summary, snap.Body, snap.Trailers)
	if err != nil {
		return Commit{}, err
	}
	var tag plumbing.ReferenceName
	if snap.Tag != "" {
		if tag, err = tagRef(snap.Tag); err != nil {
			return Commit{}, err
		}
		if _, err := s.repo.Storer.Reference(tag); err == nil {
			return Commit{}, fmt.Errorf("tag %s already exists", snap.Tag)
		} else if !errors.Is(err, plumbing.ErrReferenceNotFound) {
			return Commit{}, fmt.Errorf("reading tag %s: %w", snap.Tag, err)
		}
	}

	head, err := s.repo.Storer.Reference(name)
	if err != nil && !errors.Is(err, plumbing.ErrReferenceNotFound) {
		return Commit{}, fmt.Errorf("reading branch: %w", err)
	}
	parent := plumbing.ZeroHash
	switch {
	case head != nil:
		parent = head.Hash()
	case snap.Base != "":
		baseName, err := branchRef(snap.Base)
		if err != nil {
			return Commit{}, fmt.Errorf("base: %w", err)
		}
		base, err := s.repo.Storer.Reference(baseName)
		if errors.Is(err, plumbing.ErrReferenceNotFound) {
			return Commit{}, fmt.Errorf("base branch %s: %w", snap.Base, ErrUnknownRef)
		}
		if err != nil {
			return Commit{}, fmt.Errorf("reading base branch %s: %w", snap.Base, err)
		}
		parent = base.Hash()
	}

	tree, err := s.writeTree(snap.Files)
	if err != nil {
		return Commit{}, err
	}
	var parents []plumbing.Hash
	if !parent.IsZero() {
		pc, err := object.GetCommit(s.repo.Storer, parent)
		if err != nil {
			return Commit{}, fmt.Errorf("reading parent commit %s: %w", parent, err)
		}
		if pc.TreeHash == tree {
			return Commit{}, ErrUnchanged
		}
		parents = []plumbing.Hash{parent}
	}

	sig := object.Signature{Name: s.author.Name, Email: s.author.Email, When: s.clock()}
	hash, err := s.writeCommit(&object.Commit{
		Author: sig, Committer: sig, Message: msg, TreeHash: tree, ParentHashes: parents,
	})
	if err != nil {
		return Commit{}, err
	}
	if err := s.repo.Storer.CheckAndSetReference(plumbing.NewHashReference(name, hash), head); err != nil {
		return Commit{}, fmt.Errorf("moving branch to %s: %w", hash, err)
	}
	c := Commit{Hash: hash.String(), Time: sig.When}
	c.Summary, c.Trailers = parseMessage(msg)
	if tag != "" {
		if err := s.repo.Storer.SetReference(plumbing.NewHashReference(tag, hash)); err != nil {
			return Commit{}, fmt.Errorf("creating tag %s on %s: %w", snap.Tag, hash, err)
		}
		c.Tags = []string{snap.Tag}
	}
	s.log.Debug("saved snapshot", "branch", snap.Branch, "commit", c.Hash, "tag", snap.Tag)
	return c, nil
}

func (s *Store) writeCommit(c *object.Commit) (plumbing.Hash, error) {
	obj := s.repo.Storer.NewEncodedObject()
	if err := c.Encode(obj); err != nil {
		return plumbing.ZeroHash, fmt.Errorf("encoding commit: %w", err)
	}
	return s.storeObject(obj)
}

// dir is a directory of the tree being written.
type dir struct {
	files map[string][]byte
	dirs  map[string]*dir
}

// writeTree stores files as blobs and trees and returns the root tree's hash. Objects already present are not
// written again, so an unchanged snapshot writes nothing.
func (s *Store) writeTree(files map[string][]byte) (plumbing.Hash, error) {
	root := &dir{files: map[string][]byte{}, dirs: map[string]*dir{}}
	for path, content := range files {
		parts, err := splitPath(path)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		d := root
		for _, part := range parts[:len(parts)-1] {
			if _, clash := d.files[part]; clash {
				return plumbing.ZeroHash, fmt.Errorf("file path %q: %q is both a file and a directory", path, part)
			}
			sub, ok := d.dirs[part]
			if !ok {
				sub = &dir{files: map[string][]byte{}, dirs: map[string]*dir{}}
				d.dirs[part] = sub
			}
			d = sub
		}
		base := parts[len(parts)-1]
		if _, clash := d.dirs[base]; clash {
			return plumbing.ZeroHash, fmt.Errorf("file path %q is both a file and a directory", path)
		}
		d.files[base] = content
	}
	return s.writeDir(root)
}

func (s *Store) writeDir(d *dir) (plumbing.Hash, error) {
	entries := make([]object.TreeEntry, 0, len(d.files)+len(d.dirs))
	for name, content := range d.files {
		hash, err := s.writeObject(plumbing.BlobObject, content)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		entries = append(entries, object.TreeEntry{Name: name, Mode: filemode.Regular, Hash: hash})
	}
	for name, sub := range d.dirs {
		hash, err := s.writeDir(sub)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		entries = append(entries, object.TreeEntry{Name: name, Mode: filemode.Dir, Hash: hash})
	}
	// git orders entries by name, comparing a directory's name as if it ended with "/".
	sortKey := func(e object.TreeEntry) string {
		if e.Mode == filemode.Dir {
			return e.Name + "/"
		}
		return e.Name
	}
	sort.Slice(entries, func(i, j int) bool { return sortKey(entries[i]) < sortKey(entries[j]) })

	obj := s.repo.Storer.NewEncodedObject()
	if err := (&object.Tree{Entries: entries}).Encode(obj); err != nil {
		return plumbing.ZeroHash, fmt.Errorf("encoding tree: %w", err)
	}
	return s.storeObject(obj)
}

func (s *Store) writeObject(typ plumbing.ObjectType, content []byte) (plumbing.Hash, error) {
	obj := s.repo.Storer.NewEncodedObject()
	obj.SetType(typ)
	obj.SetSize(int64(len(content)))
	w, err := obj.Writer()
	if err != nil {
		return plumbing.ZeroHash, err
	}
	if _, err := w.Write(content); err != nil {
		return plumbing.ZeroHash, err
	}
	if err := w.Close(); err != nil {
		return plumbing.ZeroHash, err
	}
	return s.storeObject(obj)
}

// storeObject writes obj unless the repository already has it.
func (s *Store) storeObject(obj plumbing.EncodedObject) (plumbing.Hash, error) {
	if s.repo.Storer.HasEncodedObject(obj.Hash()) == nil {
		return obj.Hash(), nil
	}
	hash, err := s.repo.Storer.SetEncodedObject(obj)
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("writing %s object: %w", obj.Type(), err)
	}
	return hash, nil
}

// splitPath validates a snapshot file path and splits it into its segments.
func splitPath(path string) ([]string, error) {
	if path == "" || strings.ContainsAny(path, "\\\x00") {
		return nil, fmt.Errorf("invalid file path %q", path)
	}
	parts := strings.Split(path, "/")
	for _, part := range parts {
		if part == "" || part == "." || part == ".." || strings.EqualFold(part, ".git") {
			return nil, fmt.Errorf("invalid file path %q: want a relative slash-separated path without . or .. or .git", path)
		}
	}
	return parts, nil
}
