package snapshot

import (
	"errors"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"

	"gopkg.in/yaml.v3"
)

// errGaveUp says the parallel read let go: Read reads the files again, one entity after another.
var errGaveUp = errors.New("parallel read gave up")

// readParallel reads files as Read does, every file at once and each in one pass, while other goroutines decode
// the entities already read (decrypting secrets, filling go-kong values): on a snapshot kongsnap wrote, the
// decoding is most of a read, and services.yaml alone (services, their routes and plugins) about two thirds of
// the parsing. It only takes the road on which nothing can differ from the entity-at-a-time read: no file has an
// _info (so every entity decodes the moment it is read), every file is in the subset parseFastSections reads, the
// files agree on their _format_version, and nothing fails (two entities with one id or name in two files
// included). Otherwise it returns errGaveUp, and Read's sequential read says what is wrong, exactly as it always
// has.
func readParallel(files Files, names []string, opts ReadOptions) (*Snapshot, error) {
	// One index for every file, as the sequential read keeps: which of two clashing entities comes first does not
	// matter, since a clash gives up.
	ix, origin, ixMu := NewIndex(nil), map[any]*rawEntity{}, &sync.Mutex{}
	readers := make([]*reader, len(names))
	failed := make([]bool, len(names))
	var wg sync.WaitGroup
	for i, name := range names {
		r := &reader{opts: opts, ix: ix, origin: origin, ixMu: ixMu, infoKnown: true}
		r.line = startDecodeLine(r)
		readers[i] = r
		wg.Go(func() {
			err := r.streamFile(name, files[name])
			failed[i] = r.line.finish() != nil || err != nil
		})
	}
	wg.Wait()
	if slices.Contains(failed, true) {
		return nil, errGaveUp
	}
	// The entities in the order the sequential read reads them: file by file, each in its own order.
	r := &reader{opts: opts, ix: ix, origin: origin, infoKnown: true}
	for i, f := range readers {
		if f.formatVersion != "" {
			if r.formatVersion != "" && r.formatVersion != f.formatVersion {
				return nil, errGaveUp
			}
			r.formatVersion, r.formatFile = f.formatVersion, names[i]
		}
		r.entities = append(r.entities, f.entities...)
	}
	s, err := r.build()
	if err != nil {
		return nil, errGaveUp
	}
	return s, nil
}

// streamFile reads one file in a single pass, its sections' entries handed to the reader as they come, and then
// its root mapping. Anything the two-pass parseFile would read otherwise gives up: a file outside the subset, a
// merge key, a section whose entries the root mapping holds itself (they would come first there).
func (r *reader) streamFile(name string, data []byte) error {
	src := inPlace(data)
	head, ok, err := parseFastSections(src, true, func(key *yaml.Node, index int, entry *yaml.Node) error {
		kind, isSection := sectionKinds[key.Value]
		if !isSection {
			return errGaveUp
		}
		return r.parseEntity(name, key.Value+"["+strconv.Itoa(index)+"]", kind, deref(entry), nil)
	})
	if err != nil || !ok || hasMergeKey(head.Content[0]) {
		return errGaveUp
	}
	before := len(r.entities)
	if err := r.parseDocument(name, head, map[string]Kind{}); err != nil || len(r.entities) != before {
		return errGaveUp
	}
	return nil
}

// decodeLine decodes entities in batches on one goroutine per processor while the parser reads on, and indexes
// them in the order they were read, so that the index and every later step see what the sequential read gives.
type decodeLine struct {
	r      *reader
	work   chan *decodeBatch // to the decoders
	order  chan *decodeBatch // to the indexer, in reading order
	batch  *decodeBatch      // being filled by the parser
	failed atomic.Bool
	idle   sync.WaitGroup // the decoders
	done   chan struct{}  // closed when the indexer has indexed every batch
}

type decodeBatch struct {
	entities []*rawEntity
	ok       bool
	ready    chan struct{} // closed once decoded
}

// decodeBatchSize entities are handed over at once: enough to make the hand-over cheap, few enough that the
// field maps in flight stay small.
const decodeBatchSize = 128

func startDecodeLine(r *reader) *decodeLine {
	n := runtime.GOMAXPROCS(0)
	l := &decodeLine{r: r, work: make(chan *decodeBatch, 2*n), order: make(chan *decodeBatch, 4*n),
		done: make(chan struct{})}
	for range n {
		l.idle.Add(1)
		go l.decodeBatches()
	}
	go l.indexBatches()
	return l
}

// add takes an entity the parser has just read. The parser is about to forget its node, so the lines its errors
// could name are taken now (errors give the read up anyway: the sequential read reports them).
func (l *decodeLine) add(e *rawEntity) error {
	if l.failed.Load() {
		return errGaveUp
	}
	e.line, e.caLine = e.node.Line, keyLine(e.node, "ca_certificates")
	e.node = nil
	if l.batch == nil {
		l.batch = &decodeBatch{ready: make(chan struct{}), entities: make([]*rawEntity, 0, decodeBatchSize)}
	}
	l.batch.entities = append(l.batch.entities, e)
	if len(l.batch.entities) == decodeBatchSize {
		l.flush()
	}
	return nil
}

func (l *decodeLine) flush() {
	if l.batch == nil {
		return
	}
	l.order <- l.batch
	l.work <- l.batch
	l.batch = nil
}

func (l *decodeLine) decodeBatches() {
	defer l.idle.Done()
	for b := range l.work {
		b.ok = !l.failed.Load()
		for _, e := range b.entities {
			if !b.ok {
				break
			}
			if err := l.r.decodeValue(e); err != nil {
				b.ok = false
				l.failed.Store(true)
			}
			e.fields = nil
		}
		close(b.ready)
	}
}

func (l *decodeLine) indexBatches() {
	defer close(l.done)
	for b := range l.order {
		<-b.ready
		if !b.ok || l.failed.Load() {
			l.failed.Store(true)
			continue
		}
		for _, e := range b.entities {
			if l.r.index(e) != nil {
				l.failed.Store(true)
				break
			}
		}
	}
}

// finish hands over the last batch and waits for every entity to be decoded and indexed; errGaveUp when any
// failed.
func (l *decodeLine) finish() error {
	l.flush()
	close(l.order)
	close(l.work)
	<-l.done
	l.idle.Wait()
	if l.failed.Load() {
		return errGaveUp
	}
	return nil
}
