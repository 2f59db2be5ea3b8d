package snapshot

import (
	"net/url"
	"reflect"
	"slices"

	"github.com/kong/go-kong/kong"
)

// KindInfo is everything kongsnap knows about one entity kind: one entry of the kinds table below. Adding a kind
// to kongsnap means adding one entry (and teaching kongsim its schema); gateway, snapshot, diff and sync read the
// table and have no per-kind code of their own.
type KindInfo struct {
	Kind Kind
	// Singular names one entity in messages: "service", "key-auth credential".
	Singular string
	// Section is the part of a gateway (see Sections) the kind belongs to; Credential marks a consumer's
	// credential kinds, which the "credentials" section groups too.
	Section    string
	Credential bool
	// Level is the kind's dependency rank: it references only kinds of lower levels (see Levels).
	Level int

	// Path is the Admin API collection listing every entity of the kind; "" when the gateway serves the kind only
	// under its parent (targets: Kong 3.9 answers /targets with 404).
	Path string
	// Owner is the reference field whose parent's nested collection the kind is written in (credentials under
	// their consumer, targets under their upstream), and read from when Path is "". Segment is that nested
	// collection's last path segment: /consumers/{id}/key-auth, /upstreams/{id}/targets, /routes/{id}/plugins.
	Owner   string
	Segment string
	// A gateway may lack a kind's collection for two reasons only, both of which it says in GET /: its Kong is
	// older than the kind (Since, "major.minor", as Kong's CHANGELOG has it), or the plugin owning the kind is not
	// installed (Plugin, checked against plugins.available_on_server).
	Since  string
	Plugin string

	// PostIfPutMissing: Kong answers a PUT by id of a new entity of the kind with 404 (Kong 3.9's targets), so
	// it is created by a POST carrying the id, as go-kong does.
	PostIfPutMissing bool

	// TopLevel marks the kinds a decK file lists at top level; NestedIn are the kinds a decK file nests this one
	// under (a route in its service), the nesting setting the reference to that parent.
	TopLevel bool
	NestedIn []Kind
	// SortBy are the file fields entries of the kind are ordered by in a written file.
	SortBy []string

	// Secrets are the JSON paths of the fields holding secrets: encrypted (or redacted) in files, never shown in
	// diffs, logs or pull requests. "config.*" means every value under config.
	Secrets []string
	// WriteOptions are the body keys Kong's write endpoints take for the kind beside its schema's fields, and
	// remove before the schema sees them (kong/api/endpoints.lua): a certificate's snis, a key-auth's ttl. Schema
	// validation alone (POST /schemas/{kind}/validate) would call them unknown fields.
	WriteOptions []string

	typ      reflect.Type
	idField  []int   // every go-kong entity type has an ID *string
	stamps   [][]int // its CreatedAt and UpdatedAt fields, those it has
	entities func(*Snapshot) []any
	count    func(*Snapshot) int
	add      func(*Snapshot, any)
	replace  func(*Snapshot, []any)
	name     func(any) string
	refNames func(any) []Ref
	refs     func(any) []RefField
	refField func(e any, field string) (RefField, bool) // one of refs', without making the others
	flatRefs func(any) []Ref                            // refs' Refs, one after the other
	point    func(e any, field string, to Ref) bool
	keys     []keyInfo
	clear    func(any)
	suffix   func(e any, suffix string) bool
	copy     func(any) any
}

// kindTable lists every kind in dependency order: Kinds, Levels, Sections and SecretFields are read from it.
var kindTable = []*KindInfo{
	entry(KindInfo{Kind: KindCertificate, Singular: "certificate", Section: "certificates", Level: 0,
		Path: "/certificates", TopLevel: true, SortBy: []string{"id"}, Secrets: []string{"key", "key_alt"},
		WriteOptions: []string{"snis"}},
		kindSpec[kong.Certificate]{
			slice: func(s *Snapshot) *[]*kong.Certificate { return &s.Certificates },
			// A certificate lists its SNIs' names, but SNIs are entities of their own.
			clear: func(c *kong.Certificate) { c.SNIs = nil },
			keys: []keySpec[kong.Certificate]{{field: "cert_digest", matchOnly: true, lookup: LookupNone,
				value: func(c *kong.Certificate, _ refValue) string { return CertDigest(str(c.Cert)) }}},
		}),
	entry(KindInfo{Kind: KindCACertificate, Singular: "CA certificate", Section: "ca_certificates", Level: 0,
		Path: "/ca_certificates", Since: "1.3", TopLevel: true, SortBy: []string{"id"}},
		kindSpec[kong.CACertificate]{
			slice: func(s *Snapshot) *[]*kong.CACertificate { return &s.CACertificates },
			keys: []keySpec[kong.CACertificate]{{field: "cert_digest", lookup: LookupList,
				value: func(c *kong.CACertificate, _ refValue) string { return CACertDigest(c) }}},
		}),
	entry(KindInfo{Kind: KindConsumer, Singular: "consumer", Section: "consumers", Level: 0, Path: "/consumers",
		TopLevel: true, SortBy: []string{"username", "custom_id", "id"}},
		kindSpec[kong.Consumer]{
			slice: func(s *Snapshot) *[]*kong.Consumer { return &s.Consumers },
			name:  func(c *kong.Consumer) string { return firstOf(c.Username, c.CustomID) },
			refNames: func(c *kong.Consumer) []Ref {
				return append(names(c.Username), Ref{Kind: KindConsumer, Name: str(c.CustomID), By: customID})
			},
			unique: &uniqueName[kong.Consumer]{"username", func(c *kong.Consumer) **string { return &c.Username }},
			keys: []keySpec[kong.Consumer]{
				{field: "custom_id", lookup: LookupQuery, value: field(func(c *kong.Consumer) *string { return c.CustomID })},
			},
		}),
	entry(KindInfo{Kind: KindVault, Singular: "vault", Section: "vaults", Level: 0, Path: "/vaults", Since: "3.0",
		TopLevel: true, SortBy: []string{"prefix", "id"},
		Secrets: []string{"config.*"}},
		kindSpec[kong.Vault]{
			slice:  func(s *Snapshot) *[]*kong.Vault { return &s.Vaults },
			unique: &uniqueName[kong.Vault]{"prefix", func(v *kong.Vault) **string { return &v.Prefix }},
		}),
	entry(KindInfo{Kind: KindKeySet, Singular: "key set", Section: "keys", Level: 0, Path: "/key-sets", Since: "3.1",
		TopLevel: true, SortBy: []string{"name", "id"}},
		kindSpec[kong.KeySet]{
			slice:  func(s *Snapshot) *[]*kong.KeySet { return &s.KeySets },
			unique: &uniqueName[kong.KeySet]{"name", func(k *kong.KeySet) **string { return &k.Name }},
		}),

	entry(KindInfo{Kind: KindSNI, Singular: "SNI", Section: "certificates", Level: 1, Path: "/snis",
		NestedIn: []Kind{KindCertificate}, SortBy: []string{"name", "id"}},
		kindSpec[kong.SNI]{
			slice:  func(s *Snapshot) *[]*kong.SNI { return &s.SNIs },
			unique: &uniqueName[kong.SNI]{"name", func(v *kong.SNI) **string { return &v.Name }},
			refs: []refSpec[kong.SNI]{
				certificateRef("certificate", func(v *kong.SNI) **kong.Certificate { return &v.Certificate }),
			},
		}),
	entry(KindInfo{Kind: KindService, Singular: "service", Section: "services", Level: 1, Path: "/services",
		TopLevel: true, SortBy: []string{"name", "id"}},
		kindSpec[kong.Service]{
			slice:  func(s *Snapshot) *[]*kong.Service { return &s.Services },
			unique: &uniqueName[kong.Service]{"name", func(v *kong.Service) **string { return &v.Name }},
			refs: []refSpec[kong.Service]{
				certificateRef("client_certificate", func(v *kong.Service) **kong.Certificate { return &v.ClientCertificate }),
				caCertificatesRef(),
			},
		}),
	entry(KindInfo{Kind: KindUpstream, Singular: "upstream", Section: "upstreams", Level: 1, Path: "/upstreams",
		TopLevel: true, SortBy: []string{"name", "id"}},
		kindSpec[kong.Upstream]{
			slice:  func(s *Snapshot) *[]*kong.Upstream { return &s.Upstreams },
			unique: &uniqueName[kong.Upstream]{"name", func(v *kong.Upstream) **string { return &v.Name }},
			refs: []refSpec[kong.Upstream]{
				certificateRef("client_certificate", func(v *kong.Upstream) **kong.Certificate { return &v.ClientCertificate }),
			},
		}),
	entry(KindInfo{Kind: KindKey, Singular: "key", Section: "keys", Level: 1, Path: "/keys", Segment: "keys",
		Since: "3.1", TopLevel: true, SortBy: []string{"name", "kid", "id"},
		Secrets: []string{"jwk", "pem.private_key"}},
		kindSpec[kong.Key]{
			slice: func(s *Snapshot) *[]*kong.Key { return &s.Keys },
			name:  func(v *kong.Key) string { return firstOf(v.Name, v.KID) },
			refs:  []refSpec[kong.Key]{keySetRef()},
			keys: []keySpec[kong.Key]{
				// A kid is unique within its key set (a key outside any set has the set "").
				{field: "kid", lookup: LookupList, within: []string{"set"}, value: func(v *kong.Key, ref refValue) string {
					if v.KID == nil {
						return ""
					}
					return ref("set") + "|" + *v.KID
				}},
				endpointKey("name", func(v *kong.Key) *string { return v.Name }),
			},
		}),
	credential(KindInfo{Kind: KindKeyAuth, Singular: "key-auth credential", Path: "/key-auths", Plugin: "key-auth",
		Segment: "key-auth",
		SortBy:  []string{"id"}, Secrets: []string{"key"}, WriteOptions: []string{"ttl"}},
		func(v *kong.KeyAuth) **kong.Consumer { return &v.Consumer },
		kindSpec[kong.KeyAuth]{
			slice: func(s *Snapshot) *[]*kong.KeyAuth { return &s.KeyAuths },
			// The key is a secret: it is matched on the client, never put in a URL; a redacted one is unknown.
			keys: []keySpec[kong.KeyAuth]{{field: "key", lookup: LookupList, value: func(v *kong.KeyAuth, _ refValue) string {
				if str(v.Key) == Redacted {
					return ""
				}
				return str(v.Key)
			}}},
		}),
	credential(KindInfo{Kind: KindBasicAuth, Singular: "basic-auth credential", Path: "/basic-auths", Plugin: "basic-auth",
		Segment: "basic-auth", SortBy: []string{"username", "id"}, Secrets: []string{"password"}},
		func(v *kong.BasicAuth) **kong.Consumer { return &v.Consumer },
		kindSpec[kong.BasicAuth]{
			slice: func(s *Snapshot) *[]*kong.BasicAuth { return &s.BasicAuths },
			name:  func(v *kong.BasicAuth) string { return str(v.Username) },
			keys:  []keySpec[kong.BasicAuth]{endpointKey("username", func(v *kong.BasicAuth) *string { return v.Username })},
		}),
	credential(KindInfo{Kind: KindHMACAuth, Singular: "hmac-auth credential", Path: "/hmac-auths", Plugin: "hmac-auth",
		Segment: "hmac-auth", SortBy: []string{"username", "id"}, Secrets: []string{"secret"}},
		func(v *kong.HMACAuth) **kong.Consumer { return &v.Consumer },
		kindSpec[kong.HMACAuth]{
			slice: func(s *Snapshot) *[]*kong.HMACAuth { return &s.HMACAuths },
			name:  func(v *kong.HMACAuth) string { return str(v.Username) },
			keys:  []keySpec[kong.HMACAuth]{endpointKey("username", func(v *kong.HMACAuth) *string { return v.Username })},
		}),
	credential(KindInfo{Kind: KindJWT, Singular: "jwt credential", Path: "/jwts", Plugin: "jwt", Segment: "jwt",
		SortBy: []string{"key", "id"}, Secrets: []string{"secret"}},
		func(v *kong.JWTAuth) **kong.Consumer { return &v.Consumer },
		kindSpec[kong.JWTAuth]{
			slice: func(s *Snapshot) *[]*kong.JWTAuth { return &s.JWTs },
			name:  func(v *kong.JWTAuth) string { return str(v.Key) },
			keys:  []keySpec[kong.JWTAuth]{endpointKey("key", func(v *kong.JWTAuth) *string { return v.Key })},
		}),
	credential(KindInfo{Kind: KindACL, Singular: "acl group", Path: "/acls", Plugin: "acl", Segment: "acls",
		SortBy: []string{"group", "id"}},
		func(v *kong.ACLGroup) **kong.Consumer { return &v.Consumer },
		kindSpec[kong.ACLGroup]{
			slice: func(s *Snapshot) *[]*kong.ACLGroup { return &s.ACLs },
			name:  func(v *kong.ACLGroup) string { return str(v.Group) },
			// A group is unique per consumer.
			keys: []keySpec[kong.ACLGroup]{{field: "group", lookup: LookupList, within: []string{"consumer"},
				value: func(v *kong.ACLGroup, ref refValue) string {
					if v.Group == nil || ref("consumer") == "" {
						return ""
					}
					return ref("consumer") + "|" + *v.Group
				}}},
		}),
	credential(KindInfo{Kind: KindOAuth2, Singular: "oauth2 credential", Path: "/oauth2", Plugin: "oauth2",
		Segment: "oauth2", SortBy: []string{"client_id", "name", "id"}, Secrets: []string{"client_secret"}},
		func(v *kong.Oauth2Credential) **kong.Consumer { return &v.Consumer },
		kindSpec[kong.Oauth2Credential]{
			slice: func(s *Snapshot) *[]*kong.Oauth2Credential { return &s.OAuth2s },
			name:  func(v *kong.Oauth2Credential) string { return str(v.Name) },
			keys: []keySpec[kong.Oauth2Credential]{
				endpointKey("client_id", func(v *kong.Oauth2Credential) *string { return v.ClientID }),
			},
		}),

	entry(KindInfo{Kind: KindRoute, Singular: "route", Section: "services", Level: 2, Path: "/routes",
		TopLevel: true, NestedIn: []Kind{KindService}, SortBy: []string{"name", "id"}},
		kindSpec[kong.Route]{
			slice:  func(s *Snapshot) *[]*kong.Route { return &s.Routes },
			unique: &uniqueName[kong.Route]{"name", func(v *kong.Route) **string { return &v.Name }},
			refs:   []refSpec[kong.Route]{serviceRef(func(v *kong.Route) **kong.Service { return &v.Service })},
		}),
	entry(KindInfo{Kind: KindTarget, Singular: "target", Section: "upstreams", Level: 2, Owner: "upstream",
		Segment: "targets", PostIfPutMissing: true, NestedIn: []Kind{KindUpstream}, SortBy: []string{"target", "id"}},
		kindSpec[kong.Target]{
			slice: func(s *Snapshot) *[]*kong.Target { return &s.Targets },
			name:  func(v *kong.Target) string { return str(v.Target) },
			refs:  []refSpec[kong.Target]{upstreamRef()},
			// An address is unique within its upstream, spelled as Kong stores it.
			keys: []keySpec[kong.Target]{{field: "target", lookup: LookupList, within: []string{"upstream"},
				value: func(v *kong.Target, ref refValue) string {
					if v.Target == nil || ref("upstream") == "" {
						return ""
					}
					return ref("upstream") + "|" + TargetAddress(*v.Target)
				}}},
		}),

	entry(KindInfo{Kind: KindPlugin, Singular: "plugin", Section: "plugins", Level: 3, Path: "/plugins",
		Segment: "plugins", TopLevel: true, NestedIn: []Kind{KindService, KindRoute, KindConsumer},
		// Plugins that talk to Redis (rate-limiting and kin) hold its credentials in config, and Kong 3.9 echoes
		// them again under their deprecated flat names.
		Secrets: []string{"config.redis.password", "config.redis.sentinel_password", "config.redis_password",
			"config.redis_sentinel_password"}},
		kindSpec[kong.Plugin]{
			slice:    func(s *Snapshot) *[]*kong.Plugin { return &s.Plugins },
			copy:     copyPlugin,
			name:     func(v *kong.Plugin) string { return firstOf(v.InstanceName, v.Name) },
			refNames: func(v *kong.Plugin) []Ref { return names(v.InstanceName) },
			refs: []refSpec[kong.Plugin]{
				serviceRef(func(v *kong.Plugin) **kong.Service { return &v.Service }),
				routeRef(),
				consumerRef("consumer", func(v *kong.Plugin) **kong.Consumer { return &v.Consumer }),
				consumerGroupRef(),
			},
			keys: []keySpec[kong.Plugin]{
				// A plugin name is unique per scope (Kong's cache key: name, route, service, consumer, group). It is
				// looked up in the narrowest nested collection holding the scope.
				{field: "scope", lookup: LookupList, within: []string{"route", "service", "consumer"},
					value: func(v *kong.Plugin, ref refValue) string {
						if v.Name == nil {
							return ""
						}
						return *v.Name + "|route=" + ref("route") + "|service=" + ref("service") +
							"|consumer=" + ref("consumer") + "|group=" + ref("consumer_group")
					}},
				endpointKey("instance_name", func(v *kong.Plugin) *string { return v.InstanceName }),
			},
		}),
}

// KindConsumerGroup is an Enterprise kind no snapshot holds: a plugin's reference to one is kept and compared as
// written, never resolved.
const KindConsumerGroup Kind = "consumer_groups"

// customID is Ref.By of a reference to a consumer by custom_id, for a consumer that has no username (the name
// references otherwise carry).
const customID = "custom_id"

var (
	infoOf = func() map[Kind]*KindInfo {
		m := map[Kind]*KindInfo{}
		for _, info := range kindTable {
			m[info.Kind] = info
		}
		return m
	}()
	infoByType = func() map[reflect.Type]*KindInfo {
		m := map[reflect.Type]*KindInfo{}
		for _, info := range kindTable {
			m[info.typ] = info
		}
		return m
	}()
)

// Info returns the table entry of k, nil for a kind kongsnap does not hold (consumer groups).
func (k Kind) Info() *KindInfo { return infoOf[k] }

// infoOfEntity returns the table entry of a go-kong entity's kind, nil for any other value.
func infoOfEntity(e any) *KindInfo { return infoByType[reflect.TypeOf(e)] }

// New returns a new, empty go-kong value of the kind: *kong.Service for services.
func (info *KindInfo) New() any { return reflect.New(info.typ.Elem()).Interface() }

// Clear drops what an entity carries that is not its own (a certificate's SNI names: SNIs are entities of their
// own), and created_at and updated_at, so it reads as a snapshot holds it.
func (info *KindInfo) Clear(e any) {
	v := reflect.ValueOf(e).Elem()
	for _, index := range info.stamps {
		v.FieldByIndex(index).SetZero()
	}
	if info.clear != nil {
		info.clear(e)
	}
}

// Copy returns a deep copy of e, an entity of the kind (go-kong's generated DeepCopy).
func (info *KindInfo) Copy(e any) any { return info.copy(e) }

// AppendToName appends suffix to e's unique name, so that for a moment another entity can take the name; it
// reports false when e's kind has no unique name to borrow or e has none.
func (info *KindInfo) AppendToName(e any, suffix string) bool {
	return info.suffix != nil && info.suffix(e, suffix)
}

// Keyed reports whether Kong keeps any key of the kind unique besides the id (a certificate has none).
func (info *KindInfo) Keyed() bool {
	for _, k := range info.keys {
		if !k.matchOnly {
			return true
		}
	}
	return false
}

// CollectionUnder returns the path of the kind's collection nested under the entity a reference points to, by id:
// /consumers/{id}/key-auth. It returns "" when the reference has no id or the kind has no nested collection.
func (info *KindInfo) CollectionUnder(r Ref) string {
	parent := r.Kind.Info()
	if parent == nil || parent.Path == "" || r.ID == "" || info.Segment == "" {
		return ""
	}
	return parent.Path + "/" + url.PathEscape(r.ID) + "/" + info.Segment
}

// kindSpec is the typed part of a table entry: how to reach the entities of the kind in a Snapshot and what its
// entities are called, reference and are keyed by.
type kindSpec[T any] struct {
	slice func(*Snapshot) *[]*T
	// unique is the kind's unique name (a service's name, a consumer's username, a vault's prefix): by default the
	// name messages use and the one references use, and the kind's first unique key, served as Kong's endpoint key.
	unique   *uniqueName[T]
	name     func(*T) string // the name messages use; "" when it has none
	refNames func(*T) []Ref  // the names other entities reference it by; none when they use ids only
	refs     []refSpec[T]
	keys     []keySpec[T]
	clear    func(*T)
	copy     func(*T) *T // a deep copy; by default go-kong's generated DeepCopy
}

// credential completes the entry of a consumer's credential kind: in the consumers section, nested in its consumer
// in files and in the Admin API, its only reference the consumer's.
func credential[T any](info KindInfo, consumer func(*T) **kong.Consumer, spec kindSpec[T]) *KindInfo {
	info.Section, info.Credential, info.Level = "consumers", true, 1
	info.Owner, info.NestedIn = "consumer", []Kind{KindConsumer}
	spec.refs = []refSpec[T]{consumerRef("consumer", consumer)}
	return entry(info, spec)
}

// uniqueName is the field holding a kind's unique name, with its file (JSON) name.
type uniqueName[T any] struct {
	field string
	p     func(*T) **string
}

// entry completes a table entry from its typed spec.
func entry[T any](info KindInfo, spec kindSpec[T]) *KindInfo {
	typed := func(e any) *T { return e.(*T) }
	if u := spec.unique; u != nil {
		if spec.name == nil {
			spec.name = func(e *T) string { return str(*u.p(e)) }
		}
		if spec.refNames == nil {
			spec.refNames = func(e *T) []Ref { return names(*u.p(e)) }
		}
		spec.keys = append([]keySpec[T]{endpointKey(u.field, func(e *T) *string { return *u.p(e) })}, spec.keys...)
		info.suffix = func(e any, suffix string) bool {
			p := u.p(typed(e))
			if *p == nil {
				return false
			}
			*p = kong.String(**p + suffix)
			return true
		}
	}
	info.typ = reflect.TypeFor[*T]()
	if spec.copy == nil {
		spec.copy = func(e *T) *T { return any(e).(interface{ DeepCopy() *T }).DeepCopy() }
	}
	info.copy = func(e any) any { return spec.copy(typed(e)) }
	idField, _ := info.typ.Elem().FieldByName("ID")
	info.idField = idField.Index
	for _, name := range []string{"CreatedAt", "UpdatedAt"} {
		if f, ok := info.typ.Elem().FieldByName(name); ok {
			info.stamps = append(info.stamps, f.Index)
		}
	}
	info.count = func(s *Snapshot) int { return len(*spec.slice(s)) }
	info.entities = func(s *Snapshot) []any {
		items := *spec.slice(s)
		out := make([]any, len(items))
		for i, item := range items {
			out[i] = item
		}
		return out
	}
	info.replace = func(s *Snapshot, entities []any) {
		items := *spec.slice(s)
		for i, e := range entities {
			items[i] = typed(e)
		}
	}
	info.add = func(s *Snapshot, e any) {
		p := spec.slice(s)
		*p = append(*p, typed(e))
	}
	info.name = func(e any) string {
		if spec.name == nil {
			return ""
		}
		return spec.name(typed(e))
	}
	info.refNames = func(e any) []Ref {
		if spec.refNames == nil {
			return nil
		}
		refs := spec.refNames(typed(e))
		for i := range refs {
			refs[i].Kind = info.Kind
		}
		return slices.DeleteFunc(refs, func(r Ref) bool { return r.Name == "" })
	}
	refField := func(r refSpec[T], e *T) RefField {
		f := RefField{Field: r.field, Kind: r.kind, List: r.list, Refs: r.get(e)}
		for j := range f.Refs {
			f.Refs[j].Field = r.field
		}
		return f
	}
	info.refs = func(e any) []RefField {
		fields := make([]RefField, len(spec.refs))
		for i, r := range spec.refs {
			fields[i] = refField(r, typed(e))
		}
		return fields
	}
	info.refField = func(e any, field string) (RefField, bool) {
		for _, r := range spec.refs {
			if r.field == field {
				return refField(r, typed(e)), true
			}
		}
		return RefField{}, false
	}
	info.flatRefs = func(e any) []Ref {
		var out []Ref
		for _, r := range spec.refs {
			for _, ref := range r.get(typed(e)) {
				ref.Field = r.field
				out = append(out, ref)
			}
		}
		return out
	}
	info.point = func(e any, field string, to Ref) bool {
		for _, r := range spec.refs {
			if r.field == field && r.point != nil {
				r.point(typed(e), to)
				return true
			}
		}
		return false
	}
	for _, k := range spec.keys {
		info.keys = append(info.keys, keyInfo{field: k.field, matchOnly: k.matchOnly, lookup: k.lookup, within: k.within,
			value: func(e any, ref refValue) string { return k.value(typed(e), ref) }})
	}
	if spec.clear != nil {
		info.clear = func(e any) { spec.clear(typed(e)) }
	}
	return &info
}

func firstOf(ps ...*string) string {
	for _, p := range ps {
		if p != nil {
			return *p
		}
	}
	return ""
}

// names are the references by name the given fields of an entity make (the table drops the unset ones).
func names(ps ...*string) []Ref {
	var out []Ref
	for _, p := range ps {
		out = append(out, Ref{Name: str(p)})
	}
	return out
}
