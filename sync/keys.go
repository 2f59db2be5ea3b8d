package sync

import (
	"github.com/kong/go-kong/kong"
	"github.com/kongsnap/kongsnap/snapshot"
)

// uniqueKeys returns the keys Kong keeps unique among the entities of e's kind, each labelled with its fields:
// "name=billing", "scope=rate-limiting|route=…|service=|consumer=|group=". Two entities of one kind holding a
// common key cannot both exist; the second write answers 409. Foreign keys count by id, so e's references must be
// ids (as they are in live entities and in the entities a plan writes).
func uniqueKeys(e any) []string {
	var keys []string
	add := func(label string, value *string) {
		if deref(value) != "" {
			keys = append(keys, label+"="+*value)
		}
	}
	switch v := e.(type) {
	case *kong.Service:
		add("name", v.Name)
	case *kong.Route:
		add("name", v.Name)
	case *kong.Upstream:
		add("name", v.Name)
	case *kong.SNI:
		add("name", v.Name)
	case *kong.KeySet:
		add("name", v.Name)
	case *kong.Vault:
		add("prefix", v.Prefix)
	case *kong.Consumer:
		add("username", v.Username)
		add("custom_id", v.CustomID)
	case *kong.Key:
		add("name", v.Name)
		if v.KID != nil {
			set := ""
			if v.Set != nil {
				set = deref(v.Set.ID)
			}
			add("kid", kong.String(set+"|"+*v.KID))
		}
	case *kong.Plugin:
		add("instance_name", v.InstanceName)
		if v.Name != nil {
			add("scope", kong.String(*v.Name+"|"+pluginScope(v)))
		}
	case *kong.Target:
		if v.Target != nil && v.Upstream != nil {
			add("target", kong.String(deref(v.Upstream.ID)+"|"+snapshot.TargetAddress(*v.Target)))
		}
	case *kong.CACertificate:
		add("cert_digest", kong.String(snapshot.CACertDigest(v)))
	case *kong.KeyAuth:
		if deref(v.Key) != snapshot.Redacted {
			add("key", v.Key)
		}
	case *kong.BasicAuth:
		add("username", v.Username)
	case *kong.HMACAuth:
		add("username", v.Username)
	case *kong.JWTAuth:
		add("key", v.Key)
	case *kong.Oauth2Credential:
		add("client_id", v.ClientID)
	case *kong.ACLGroup:
		if v.Group != nil && v.Consumer != nil {
			add("group", kong.String(deref(v.Consumer.ID)+"|"+*v.Group))
		}
	}
	return keys
}

// pluginScope spells a plugin's scope by the ids of its route, service, consumer and consumer group.
func pluginScope(p *kong.Plugin) string {
	var route, service, consumer, group string
	if p.Route != nil {
		route = deref(p.Route.ID)
	}
	if p.Service != nil {
		service = deref(p.Service.ID)
	}
	if p.Consumer != nil {
		consumer = deref(p.Consumer.ID)
	}
	if p.ConsumerGroup != nil {
		group = deref(p.ConsumerGroup.ID)
	}
	return "route=" + route + "|service=" + service + "|consumer=" + consumer + "|group=" + group
}
