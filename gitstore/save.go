package gitstore

import (
	"bytes"
	"compress/zlib"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/filesystem"
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
	// Ready, optional, holds Files' blobs compressed ahead of the Save (Store.Prepare); without it, or for a blob
	// it lacks, Save compresses the blob itself.
	Ready *Prepared
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

	head, parent, err := s.parentOf(name, snap.Base)
	if err != nil {
		return Commit{}, err
	}
	tree, err := s.writeTree(snap.Files, true, snap.Ready)
	if err != nil {
		return Commit{}, err
	}
	var parents []plumbing.Hash
	if !parent.IsZero() {
		same, err := s.sameTree(parent, tree)
		if err != nil {
			return Commit{}, err
		}
		if same {
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

// TreeID returns the id of the tree a commit of files would have: git's name for exactly this set of files and
// contents. It writes nothing; under a Lock it costs no hashing of contents the Store has hashed already.
func (s *Store) TreeID(ctx context.Context, files map[string][]byte) (string, error) {
	done, err := s.exclusive(ctx)
	if err != nil {
		return "", s.secrets.errorf("naming the tree of a snapshot: %w", err)
	}
	defer done()
	tree, err := s.writeTree(files, false, nil)
	if err != nil {
		return "", s.secrets.errorf("naming the tree of a snapshot: %w", err)
	}
	return tree.String(), nil
}

// Unchanged reports whether Save would return ErrUnchanged for files on branch (starting from base when branch is
// missing): whether their tree equals the parent commit's. It only hashes the files and writes nothing, so a caller
// can decide that nothing changed before doing the work a commit needs (its summary, say).
func (s *Store) Unchanged(ctx context.Context, branch, base string, files map[string][]byte) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, fmt.Errorf("comparing snapshot with %s: %w", branch, err)
	}
	done, err := s.exclusive(ctx)
	if err != nil {
		return false, s.secrets.errorf("comparing snapshot with %s: %w", branch, err)
	}
	defer done()
	same, err := s.unchanged(branch, base, files)
	if err != nil {
		return false, s.secrets.errorf("comparing snapshot with %s: %w", branch, err)
	}
	return same, nil
}

func (s *Store) unchanged(branch, base string, files map[string][]byte) (bool, error) {
	name, err := branchRef(branch)
	if err != nil {
		return false, err
	}
	_, parent, err := s.parentOf(name, base)
	if err != nil || parent.IsZero() {
		return false, err
	}
	tree, err := s.writeTree(files, false, nil)
	if err != nil {
		return false, err
	}
	return s.sameTree(parent, tree)
}

// parentOf returns the branch's head reference (nil when the branch is missing) and the commit a new commit on it
// would have as parent: the head, else base's head, else none (the zero hash, for an orphan).
func (s *Store) parentOf(name plumbing.ReferenceName, base string) (*plumbing.Reference, plumbing.Hash, error) {
	head, err := s.repo.Storer.Reference(name)
	if err != nil && !errors.Is(err, plumbing.ErrReferenceNotFound) {
		return nil, plumbing.ZeroHash, fmt.Errorf("reading branch: %w", err)
	}
	switch {
	case head != nil:
		return head, head.Hash(), nil
	case base != "":
		baseName, err := branchRef(base)
		if err != nil {
			return nil, plumbing.ZeroHash, fmt.Errorf("base: %w", err)
		}
		ref, err := s.repo.Storer.Reference(baseName)
		if errors.Is(err, plumbing.ErrReferenceNotFound) {
			return nil, plumbing.ZeroHash, fmt.Errorf("base branch %s: %w", base, ErrUnknownRef)
		}
		if err != nil {
			return nil, plumbing.ZeroHash, fmt.Errorf("reading base branch %s: %w", base, err)
		}
		return nil, ref.Hash(), nil
	}
	return nil, plumbing.ZeroHash, nil
}

// sameTree reports whether commit has the given tree.
func (s *Store) sameTree(commit, tree plumbing.Hash) (bool, error) {
	c, err := object.GetCommit(s.repo.Storer, commit)
	if err != nil {
		return false, fmt.Errorf("reading parent commit %s: %w", commit, err)
	}
	return c.TreeHash == tree, nil
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
// written again, so an unchanged snapshot writes nothing; with store false nothing is written at all, and the hash
// is what storing would return.
func (s *Store) writeTree(files map[string][]byte, store bool, ready *Prepared) (plumbing.Hash, error) {
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
	return s.writeDir(root, store, ready)
}

func (s *Store) writeDir(d *dir, store bool, ready *Prepared) (plumbing.Hash, error) {
	entries := make([]object.TreeEntry, 0, len(d.files)+len(d.dirs))
	// The files are hashed side by side (a snapshot's are tens of megabytes), then stored one after another.
	names := slices.Sorted(maps.Keys(d.files))
	contents := make([][]byte, len(names))
	for i, name := range names {
		contents[i] = d.files[name]
	}
	hashes := s.blobs.all(contents)
	for i, name := range names {
		if store {
			if err := s.storeBlob(hashes[i], d.files[name], ready); err != nil {
				return plumbing.ZeroHash, err
			}
		}
		entries = append(entries, object.TreeEntry{Name: name, Mode: filemode.Regular, Hash: hashes[i]})
	}
	for name, sub := range d.dirs {
		hash, err := s.writeDir(sub, store, ready)
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
	if !store {
		return obj.Hash(), nil
	}
	return s.storeObject(obj)
}

// storeBlob writes content as the blob hash unless the repository has it. In a repository on disk it is written
// as a loose object itself, compressed for speed (zlib's level 1: a changed snapshot file of tens of megabytes
// took go-git's default level a tenth of a backup), to a temporary file renamed into place as git does; ready,
// when it holds the blob, has compressed it already.
func (s *Store) storeBlob(hash plumbing.Hash, content []byte, ready *Prepared) error {
	if s.repo.Storer.HasEncodedObject(hash) == nil {
		return nil
	}
	fs, isFS := s.repo.Storer.(*filesystem.Storage)
	if !isFS {
		_, err := s.storeObject(&blob{hash: hash, content: content})
		return err
	}
	name := hash.String()
	dir := path.Join("objects", name[:2])
	if err := fs.Filesystem().MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("writing blob %s: %w", name, err)
	}
	f, err := fs.Filesystem().TempFile(dir, "tmp_obj_")
	if err != nil {
		return fmt.Errorf("writing blob %s: %w", name, err)
	}
	if compressed, ok := ready.blob(hash); ok {
		_, err = f.Write(compressed)
	} else {
		err = compressBlob(f, content)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = fs.Filesystem().Rename(f.Name(), path.Join(dir, name[2:]))
	}
	if err != nil {
		_ = fs.Filesystem().Remove(f.Name())
		return fmt.Errorf("writing blob %s: %w", name, err)
	}
	return nil
}

// compressBlob writes content to w as git's loose object of it: zlib("blob <size>\x00<content>"), at level 1.
func compressBlob(w io.Writer, content []byte) error {
	z, _ := zlib.NewWriterLevel(w, zlib.BestSpeed)
	_, err := z.Write([]byte("blob " + strconv.Itoa(len(content)) + "\x00"))
	if err == nil {
		_, err = z.Write(content)
	}
	if cerr := z.Close(); err == nil {
		err = cerr
	}
	return err
}

// blob is content to store as a blob, an EncodedObject read in place: go-git's MemoryObject would first copy it
// (a snapshot file can be hundreds of megabytes) and hash it again.
type blob struct {
	hash    plumbing.Hash
	content []byte
}

func (b *blob) Hash() plumbing.Hash            { return b.hash }
func (b *blob) Type() plumbing.ObjectType      { return plumbing.BlobObject }
func (b *blob) SetType(plumbing.ObjectType)    {}
func (b *blob) Size() int64                    { return int64(len(b.content)) }
func (b *blob) SetSize(int64)                  {}
func (b *blob) Reader() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b.content)), nil }
func (b *blob) Writer() (io.WriteCloser, error) {
	return nil, errors.New("a blob to store is not written to")
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
