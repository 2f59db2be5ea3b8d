package gitstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
	"golang.org/x/sync/errgroup"
)

// ErrUnknownRef is returned (wrapped, naming the ref) when a ref names no commit in the local repository.
var ErrUnknownRef = errors.New("unknown ref")

// TagInfo is a tag and the snapshot it points at.
type TagInfo struct {
	Name string    // tag name without refs/tags/
	Hash string    // commit hash
	Time time.Time // the commit's snapshot time (author time)
}

// Files returns the whole tree of the commit that ref names, and that commit. ref is a full or abbreviated commit
// hash, a tag, a branch, a remote-tracking branch (origin/kong/prod) or a full reference name.
func (s *Store) Files(ctx context.Context, ref string) (map[string][]byte, Commit, error) {
	if err := ctx.Err(); err != nil {
		return nil, Commit{}, fmt.Errorf("reading %s: %w", ref, err)
	}
	done, err := s.exclusive(ctx)
	if err != nil {
		return nil, Commit{}, fmt.Errorf("reading %s: %w", ref, err)
	}
	defer done()
	files, c, err := s.files(ref)
	if err != nil {
		return nil, Commit{}, fmt.Errorf("reading %s: %w", ref, err)
	}
	return files, c, nil
}

func (s *Store) files(ref string) (map[string][]byte, Commit, error) {
	commit, err := s.resolve(ref)
	if err != nil {
		return nil, Commit{}, err
	}
	files, err := s.tree(commit)
	if err != nil {
		return nil, Commit{}, err
	}
	tags, err := s.tagsByCommit()
	if err != nil {
		return nil, Commit{}, err
	}
	return files, describe(commit, tags), nil
}

// treeOf returns the whole tree of the commit that ref names, without describing the commit: describing reads
// every tag, which a log branch's append does not need.
func (s *Store) treeOf(ref string) (map[string][]byte, error) {
	commit, err := s.resolve(ref)
	if err != nil {
		return nil, err
	}
	return s.tree(commit)
}

// tree returns a commit's whole tree, path → content. The loose blobs are read a processor each at once (each is
// a file to inflate: a restore's target, a changed backup's last snapshot); those go-git holds in packs are read
// after, one at a time, as go-git's storage wants.
func (s *Store) tree(commit *object.Commit) (map[string][]byte, error) {
	type file struct {
		name    string
		hash    plumbing.Hash
		content []byte
		loose   bool
	}
	var all []*file
	if err := eachFile(commit, func(name string, hash plumbing.Hash) error {
		all = append(all, &file{name: name, hash: hash})
		return nil
	}); err != nil {
		return nil, err
	}
	failed := func(f *file, err error) error { return fmt.Errorf("reading %s of %s: %w", f.name, commit.Hash, err) }
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for _, f := range all {
		g.Go(func() (err error) {
			if f.content, f.loose, err = s.readLooseBlob(f.hash); err != nil {
				return failed(f, err)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	files := make(map[string][]byte, len(all))
	for _, f := range all {
		if !f.loose {
			var err error
			if f.content, err = s.readPackedBlob(f.hash); err != nil { // not loose: looked for already
				return nil, failed(f, err)
			}
		}
		files[f.name] = f.content
	}
	return files, nil
}

// eachFile calls fn with the path and blob hash of every file of a commit's tree, reading no blob itself.
func eachFile(commit *object.Commit, fn func(path string, hash plumbing.Hash) error) error {
	tree, err := commit.Tree()
	if err != nil {
		return fmt.Errorf("reading tree of %s: %w", commit.Hash, err)
	}
	walker := object.NewTreeWalker(tree, true, nil)
	defer walker.Close()
	for {
		name, entry, err := walker.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("reading tree of %s: %w", commit.Hash, err)
		}
		if !entry.Mode.IsFile() {
			continue
		}
		if err := fn(name, entry.Hash); err != nil {
			return fmt.Errorf("reading %s of %s: %w", name, commit.Hash, err)
		}
	}
}

// File returns one file of the tree of the commit that ref names (any ref Files takes), reading no other blob; ok
// is false when the tree has no such file.
func (s *Store) File(ctx context.Context, ref, path string) (content []byte, ok bool, err error) {
	if err := ctx.Err(); err != nil {
		return nil, false, fmt.Errorf("reading %s of %s: %w", path, ref, err)
	}
	done, err := s.exclusive(ctx)
	if err != nil {
		return nil, false, fmt.Errorf("reading %s of %s: %w", path, ref, err)
	}
	defer done()
	commit, err := s.resolve(ref)
	if err != nil {
		return nil, false, fmt.Errorf("reading %s of %s: %w", path, ref, err)
	}
	tree, err := commit.Tree()
	if err != nil {
		return nil, false, fmt.Errorf("reading tree of %s: %w", commit.Hash, err)
	}
	entry, err := tree.FindEntry(path)
	if errors.Is(err, object.ErrEntryNotFound) || errors.Is(err, object.ErrDirectoryNotFound) ||
		err == nil && entry.Mode == filemode.Dir {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("reading %s of %s: %w", path, commit.Hash, err)
	}
	if content, err = s.readBlob(entry.Hash); err != nil {
		return nil, false, fmt.Errorf("reading %s of %s: %w", path, commit.Hash, err)
	}
	return content, true, nil
}

// Commit returns the commit that ref names (any ref Files takes) without reading its tree.
func (s *Store) Commit(ctx context.Context, ref string) (Commit, error) {
	if err := ctx.Err(); err != nil {
		return Commit{}, fmt.Errorf("reading %s: %w", ref, err)
	}
	done, err := s.exclusive(ctx)
	if err != nil {
		return Commit{}, fmt.Errorf("reading %s: %w", ref, err)
	}
	defer done()
	commit, err := s.resolve(ref)
	if err != nil {
		return Commit{}, fmt.Errorf("reading %s: %w", ref, err)
	}
	tags, err := s.tagsByCommit()
	if err != nil {
		return Commit{}, fmt.Errorf("reading %s: %w", ref, err)
	}
	return describe(commit, tags), nil
}

// Holds reports whether the commit that ref names has exactly files as its tree. It only hashes the files and
// writes nothing: the cheap way to learn that a snapshot equals a stored one without reading the stored one.
func (s *Store) Holds(ctx context.Context, ref string, files map[string][]byte) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, fmt.Errorf("comparing with %s: %w", ref, err)
	}
	done, err := s.exclusive(ctx)
	if err != nil {
		return false, fmt.Errorf("comparing with %s: %w", ref, err)
	}
	defer done()
	commit, err := s.resolve(ref)
	if err != nil {
		return false, fmt.Errorf("comparing with %s: %w", ref, err)
	}
	tree, err := s.writeTree(files, false, nil)
	if err != nil {
		return false, fmt.Errorf("comparing with %s: %w", ref, err)
	}
	return commit.TreeHash == tree, nil
}

// Head returns the commit at the tip of branch (a full branch name such as kong/prod), or an error wrapping
// ErrUnknownRef when the local repository has no such branch. It reads no tree, so it is the cheap way to test
// whether a branch exists.
func (s *Store) Head(ctx context.Context, branch string) (Commit, error) {
	if err := ctx.Err(); err != nil {
		return Commit{}, fmt.Errorf("reading branch %s: %w", branch, err)
	}
	done, err := s.exclusive(ctx)
	if err != nil {
		return Commit{}, fmt.Errorf("reading branch %s: %w", branch, err)
	}
	defer done()
	c, err := s.head(branch)
	if err != nil {
		return Commit{}, fmt.Errorf("reading branch %s: %w", branch, err)
	}
	return c, nil
}

func (s *Store) head(branch string) (Commit, error) {
	name, err := branchRef(branch)
	if err != nil {
		return Commit{}, err
	}
	ref, err := s.repo.Storer.Reference(name)
	if err != nil {
		return Commit{}, unknownIfNotFound(err, branch)
	}
	commit, err := object.GetCommit(s.repo.Storer, ref.Hash())
	if err != nil {
		return Commit{}, fmt.Errorf("reading commit %s: %w", ref.Hash(), err)
	}
	tags, err := s.tagsByCommit()
	if err != nil {
		return Commit{}, err
	}
	return describe(commit, tags), nil
}

// Log returns up to limit commits (all when limit <= 0) of the branch or other ref, newest first, following
// first parents.
func (s *Store) Log(ctx context.Context, ref string, limit int) ([]Commit, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("reading log of %s: %w", ref, err)
	}
	done, err := s.exclusive(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading log of %s: %w", ref, err)
	}
	defer done()
	commits, err := s.logOf(ref, limit)
	if err != nil {
		return nil, fmt.Errorf("reading log of %s: %w", ref, err)
	}
	return commits, nil
}

func (s *Store) logOf(ref string, limit int) ([]Commit, error) {
	commit, err := s.resolve(ref)
	if err != nil {
		return nil, err
	}
	tags, err := s.tagsByCommit()
	if err != nil {
		return nil, err
	}
	var commits []Commit
	for limit <= 0 || len(commits) < limit {
		commits = append(commits, describe(commit, tags))
		if commit.NumParents() == 0 {
			break
		}
		if commit, err = commit.Parent(0); err != nil {
			return nil, fmt.Errorf("reading parent of %s: %w", commits[len(commits)-1].Hash, err)
		}
	}
	return commits, nil
}

// Tags lists the tags whose names start with prefix (e.g. "kongsnap/prod/"), newest snapshot first.
func (s *Store) Tags(ctx context.Context, prefix string) ([]TagInfo, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("listing tags %s*: %w", prefix, err)
	}
	done, err := s.exclusive(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing tags %s*: %w", prefix, err)
	}
	defer done()
	var infos []TagInfo
	err = s.forEachTag(func(name string, commit *object.Commit) error {
		if strings.HasPrefix(name, prefix) {
			infos = append(infos, TagInfo{Name: name, Hash: commit.Hash.String(), Time: commit.Author.When})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("listing tags %s*: %w", prefix, err)
	}
	sort.Slice(infos, func(i, j int) bool { return newer(infos[i], infos[j]) })
	return infos, nil
}

// newer orders tag infos newest first, by snapshot time and then by name.
func newer(a, b TagInfo) bool {
	if !a.Time.Equal(b.Time) {
		return a.Time.After(b.Time)
	}
	return a.Name > b.Name
}

// forEachTag calls f with every tag that points (directly or through an annotated tag) at a commit.
func (s *Store) forEachTag(f func(name string, commit *object.Commit) error) error {
	refs, err := s.repo.Storer.IterReferences()
	if err != nil {
		return fmt.Errorf("listing references: %w", err)
	}
	return refs.ForEach(func(ref *plumbing.Reference) error {
		if !ref.Name().IsTag() || ref.Type() != plumbing.HashReference {
			return nil
		}
		commit, err := s.peel(ref.Hash())
		if errors.Is(err, errNotCommit) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("reading tag %s: %w", ref.Name().Short(), err)
		}
		return f(ref.Name().Short(), commit)
	})
}

func (s *Store) tagsByCommit() (map[plumbing.Hash][]string, error) {
	tags := map[plumbing.Hash][]string{}
	err := s.forEachTag(func(name string, commit *object.Commit) error {
		tags[commit.Hash] = append(tags[commit.Hash], name)
		return nil
	})
	for _, names := range tags {
		sort.Strings(names)
	}
	return tags, err
}

func describe(c *object.Commit, tags map[plumbing.Hash][]string) Commit {
	summary, trailers := parseMessage(c.Message)
	return Commit{
		Hash:     c.Hash.String(),
		Time:     c.Author.When,
		Summary:  summary,
		Trailers: trailers,
		Tags:     tags[c.Hash],
	}
}

var errNotCommit = errors.New("not a commit")

// peel returns the commit that hash names, following annotated tags.
func (s *Store) peel(hash plumbing.Hash) (*object.Commit, error) {
	for {
		obj, err := object.GetObject(s.repo.Storer, hash)
		if err != nil {
			return nil, err
		}
		switch o := obj.(type) {
		case *object.Commit:
			return o, nil
		case *object.Tag:
			hash = o.Target
		default:
			return nil, errNotCommit
		}
	}
}

// resolve finds the commit that ref names, trying in git's order: a full hash, a full reference name, a branch, a
// tag, a remote-tracking branch, then an unambiguous abbreviated hash.
func (s *Store) resolve(ref string) (*object.Commit, error) {
	if ref == "" {
		return nil, fmt.Errorf("empty ref: %w", ErrUnknownRef)
	}
	if isHex(ref) && len(ref) == 40 {
		return s.peelRef(ref, plumbing.NewHash(ref))
	}
	for _, name := range []string{ref, "refs/heads/" + ref, "refs/tags/" + ref, "refs/remotes/" + ref} {
		if !strings.HasPrefix(name, "refs/") {
			continue
		}
		r, err := storer.ResolveReference(s.repo.Storer, plumbing.ReferenceName(name))
		if errors.Is(err, plumbing.ErrReferenceNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("resolving %s: %w", name, err)
		}
		return s.peelRef(ref, r.Hash())
	}
	if isHex(ref) && len(ref) >= 4 {
		hash, err := s.expandHash(strings.ToLower(ref))
		if err != nil {
			return nil, err
		}
		return s.peelRef(ref, hash)
	}
	return nil, fmt.Errorf("%w %q", ErrUnknownRef, ref)
}

func (s *Store) peelRef(ref string, hash plumbing.Hash) (*object.Commit, error) {
	c, err := s.peel(hash)
	if errors.Is(err, plumbing.ErrObjectNotFound) || errors.Is(err, errNotCommit) {
		return nil, fmt.Errorf("%w %q", ErrUnknownRef, ref)
	}
	return c, err
}

// expandHash finds the one commit whose hash starts with prefix.
func (s *Store) expandHash(prefix string) (plumbing.Hash, error) {
	iter, err := s.repo.Storer.IterEncodedObjects(plumbing.CommitObject)
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("listing commits: %w", err)
	}
	var found []plumbing.Hash
	seen := map[plumbing.Hash]bool{} // an object can sit in several packs
	err = iter.ForEach(func(obj plumbing.EncodedObject) error {
		if h := obj.Hash(); strings.HasPrefix(h.String(), prefix) && !seen[h] {
			seen[h] = true
			found = append(found, h)
		}
		return nil
	})
	switch {
	case err != nil:
		return plumbing.ZeroHash, fmt.Errorf("listing commits: %w", err)
	case len(found) == 0:
		return plumbing.ZeroHash, fmt.Errorf("%w %q", ErrUnknownRef, prefix)
	case len(found) > 1:
		return plumbing.ZeroHash, fmt.Errorf("abbreviated hash %q is ambiguous: %d commits match", prefix, len(found))
	}
	return found[0], nil
}

func isHex(s string) bool {
	for _, r := range s {
		if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
			return false
		}
	}
	return s != ""
}
