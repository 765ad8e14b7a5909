//! An already-parsed `serde_json::Value` read into the same tree as the
//! scanner builds, by a serde visitor, with the same type checks.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::program::{ShapeObj, ShapeTy};

use super::tree::{
    expected, number_node, text_node, wrong_type, Node, PathCtx, Sink, Ty, MAX_LIST_LEN,
};

pub(super) struct RootSeed<'s, 'w, 'de> {
    pub(super) shape: &'s ShapeObj,
    pub(super) sink: &'w mut Sink<'de>,
}

impl<'de> DeserializeSeed<'de> for RootSeed<'_, '_, 'de> {
    type Value = Node<'de>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Node<'de>, D::Error> {
        let root = PathCtx {
            parent: None,
            name: "",
            list: false,
        };
        d.deserialize_any(NodeVisitor {
            ty: Ty::Obj(self.shape),
            ctx: &root,
            sink: self.sink,
        })
    }
}

struct NodeSeed<'p, 's, 'w, 'de> {
    ty: &'s ShapeTy,
    ctx: &'p PathCtx<'p, 's>,
    sink: &'w mut Sink<'de>,
}

impl<'de> DeserializeSeed<'de> for NodeSeed<'_, '_, '_, 'de> {
    type Value = Node<'de>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Node<'de>, D::Error> {
        let ty = match self.ty {
            ShapeTy::Object(o) => Ty::Obj(o),
            other => Ty::Other(other),
        };
        d.deserialize_any(NodeVisitor {
            ty,
            ctx: self.ctx,
            sink: self.sink,
        })
    }
}

struct NodeVisitor<'p, 's, 'w, 'de> {
    ty: Ty<'s>,
    ctx: &'p PathCtx<'p, 's>,
    sink: &'w mut Sink<'de>,
}

/// What a value of type `ty` should be, in words.
impl NodeVisitor<'_, '_, '_, '_> {
    fn wrong<E: de::Error>(&self, found: &str) -> E {
        E::custom(wrong_type(self.ty, self.ctx, found))
    }

    fn number<'a, E: de::Error>(self, n: f64) -> Result<Node<'a>, E> {
        number_node(self.ty, self.ctx, n).map_err(E::custom)
    }

    fn text<'a, E: de::Error>(self, s: Cow<'a, str>) -> Result<Node<'a>, E> {
        text_node(self.ty, self.ctx, s).map_err(E::custom)
    }
}

impl<'de> Visitor<'de> for NodeVisitor<'_, '_, '_, 'de> {
    type Value = Node<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(expected(self.ty))
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Node<'de>, E> {
        match self.ty {
            Ty::Other(ShapeTy::Bool) => Ok(Node::Bool(v)),
            _ => Err(self.wrong("true or false")),
        }
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Node<'de>, E> {
        self.number(v as f64)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Node<'de>, E> {
        self.number(v as f64)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Node<'de>, E> {
        self.number(v)
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Node<'de>, E> {
        self.text(Cow::Borrowed(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Node<'de>, E> {
        self.text(Cow::Owned(v.to_string()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Node<'de>, E> {
        self.text(Cow::Owned(v))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Node<'de>, E> {
        if self.ctx.parent.is_none() {
            return Err(self.wrong("null"));
        }
        Ok(Node::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Node<'de>, E> {
        self.visit_unit()
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node<'de>, A::Error> {
        let Ty::Other(ShapeTy::List(elem)) = self.ty else {
            return Err(self.wrong("a list"));
        };
        let ctx = PathCtx {
            parent: Some(self.ctx),
            name: "",
            list: true,
        };
        let mark = self.sink.open_list();
        while let Some(n) = seq.next_element_seed(NodeSeed {
            ty: elem,
            ctx: &ctx,
            sink: &mut *self.sink,
        })? {
            if self.sink.list_len(mark) >= MAX_LIST_LEN {
                return Err(de::Error::custom(format!(
                    "`{}` has more than {MAX_LIST_LEN} elements",
                    self.ctx
                )));
            }
            self.sink.push_element(n);
        }
        Ok(self.sink.close_list(mark))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node<'de>, A::Error> {
        let obj = match self.ty {
            Ty::Obj(o) => o,
            Ty::Other(ShapeTy::Object(o)) => o,
            _ => return Err(self.wrong("an object")),
        };
        let start = self.sink.open_object(obj.slots);
        let mut seen: u64 = 0;
        while let Some(key) = map.next_key_seed(KeySeed)? {
            match obj.position(&key) {
                Some(i) => {
                    let Some(field) = obj.fields.get(i) else {
                        map.next_value::<IgnoredAny>()?;
                        continue;
                    };
                    // Duplicate keys are refused (for the first 64 fields of an object).
                    if i < 64 {
                        let bit = 1u64 << i;
                        if seen & bit != 0 {
                            let ctx = PathCtx {
                                parent: Some(self.ctx),
                                name: &field.name,
                                list: false,
                            };
                            return Err(de::Error::custom(format!("`{ctx}` appears twice")));
                        }
                        seen |= bit;
                    }
                    match field.slot {
                        Some(slot) => {
                            let ctx = PathCtx {
                                parent: Some(self.ctx),
                                name: &field.name,
                                list: false,
                            };
                            let v = map.next_value_seed(NodeSeed {
                                ty: &field.ty,
                                ctx: &ctx,
                                sink: &mut *self.sink,
                            })?;
                            self.sink.set_field(start, slot, v);
                        }
                        None => {
                            let ctx = PathCtx {
                                parent: Some(self.ctx),
                                name: &field.name,
                                list: false,
                            };
                            map.next_value_seed(TypeSeed {
                                ty: &field.ty,
                                ctx: &ctx,
                                sink: &mut *self.sink,
                            })?;
                        }
                    }
                }
                None => {
                    unknown_field(self.sink, self.ctx, &key);
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(Sink::object(start, obj.slots))
    }
}

/// A value no rule reads: its JSON type checked against the schema's (and,
/// in an object or list, every known field and element likewise), as the
/// scanner checks a value it skips; nothing is built.
struct TypeSeed<'p, 's, 'w, 'de> {
    ty: &'s ShapeTy,
    ctx: &'p PathCtx<'p, 's>,
    sink: &'w mut Sink<'de>,
}

impl<'de> DeserializeSeed<'de> for TypeSeed<'_, '_, '_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl TypeSeed<'_, '_, '_, '_> {
    fn check<E: de::Error>(&self, ok: bool, found: &str) -> Result<(), E> {
        if ok {
            Ok(())
        } else {
            Err(E::custom(wrong_type(Ty::Other(self.ty), self.ctx, found)))
        }
    }
}

impl<'de> Visitor<'de> for TypeSeed<'_, '_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(expected(Ty::Other(self.ty)))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        self.check(matches!(self.ty, ShapeTy::Bool), "true or false")
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        self.check(matches!(self.ty, ShapeTy::Number { .. }), "a number")
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        self.check(matches!(self.ty, ShapeTy::Number { .. }), "a number")
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        self.check(matches!(self.ty, ShapeTy::Number { .. }), "a number")
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        self.check(matches!(self.ty, ShapeTy::Text(_) | ShapeTy::Date), "text")
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let ShapeTy::List(elem) = self.ty else {
            return self.check(false, "a list");
        };
        let ctx = PathCtx {
            parent: Some(self.ctx),
            name: "",
            list: true,
        };
        let mut n = 0usize;
        while seq
            .next_element_seed(TypeSeed {
                ty: elem,
                ctx: &ctx,
                sink: &mut *self.sink,
            })?
            .is_some()
        {
            n += 1;
            if n > MAX_LIST_LEN {
                return Err(de::Error::custom(format!(
                    "`{}` has more than {MAX_LIST_LEN} elements",
                    self.ctx
                )));
            }
        }
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let ShapeTy::Object(obj) = self.ty else {
            return self.check(false, "an object");
        };
        while let Some(key) = map.next_key_seed(KeySeed)? {
            match obj.position(&key).and_then(|i| obj.fields.get(i)) {
                Some(field) => {
                    let ctx = PathCtx {
                        parent: Some(self.ctx),
                        name: &field.name,
                        list: false,
                    };
                    map.next_value_seed(TypeSeed {
                        ty: &field.ty,
                        ctx: &ctx,
                        sink: &mut *self.sink,
                    })?;
                }
                None => {
                    unknown_field(self.sink, self.ctx, &key);
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

/// Warns about a field the schema does not know, by its path.
fn unknown_field(sink: &mut Sink<'_>, ctx: &PathCtx<'_, '_>, key: &str) {
    let at = ctx.to_string();
    let name: String = key.chars().take(64).collect();
    sink.warnings.push(if at.is_empty() {
        format!("unknown field `{name}` (ignored)")
    } else {
        format!("unknown field `{at}.{name}` (ignored)")
    });
}

struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Cow<'de, str>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Cow<'de, str>, D::Error> {
        d.deserialize_str(KeyVisitor)
    }
}

struct KeyVisitor;

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = Cow<'de, str>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Borrowed(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(v.to_string()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(v))
    }
}
