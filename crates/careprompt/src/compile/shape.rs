//! The plan shape the rules read: which schema fields get a slot, marked
//! as paths are resolved.

use crate::program::*;
use crate::schema::{FieldType, ObjectType};

pub(super) fn shape_of(ty: &FieldType) -> ShapeTy {
    match ty {
        FieldType::Text { values } => ShapeTy::Text(
            values
                .as_ref()
                .map(|v| v.iter().map(|s| s.as_str().into()).collect()),
        ),
        FieldType::Number { integer } => ShapeTy::Number { integer: *integer },
        FieldType::Bool => ShapeTy::Bool,
        FieldType::Date => ShapeTy::Date,
        FieldType::List(e) => ShapeTy::List(Box::new(shape_of(e))),
        FieldType::Object(o) => ShapeTy::Object(shape_obj(o)),
    }
}

pub(super) fn shape_obj(o: &ObjectType) -> ShapeObj {
    ShapeObj::new(
        o.fields
            .iter()
            .map(|(name, f)| ShapeField {
                name: name.as_str().into(),
                slot: None,
                ty: shape_of(&f.ty),
            })
            .collect(),
    )
}

/// Gives field `name` of `obj` a slot if it has none; returns the slot and
/// the field's position.
pub(super) fn slot_of(obj: &mut ShapeObj, name: &str) -> Option<(u16, usize)> {
    let i = obj.position(name)?;
    let next = obj.slots;
    let f = obj.fields.get_mut(i)?;
    let slot = match f.slot {
        Some(s) => s,
        None => {
            f.slot = Some(next);
            obj.slots = next.saturating_add(1);
            next
        }
    };
    Some((slot, i))
}

/// The object a field leads to, through any lists.
pub(super) fn object_in(ty: &mut ShapeTy) -> Option<&mut ShapeObj> {
    match ty {
        ShapeTy::Object(o) => Some(o),
        ShapeTy::List(e) => object_in(e),
        _ => None,
    }
}

/// Marks the fields along `route` then `names` as read and returns the
/// slots of `names`.
pub(super) fn mark(shape: &mut ShapeObj, route: &[String], names: &[String]) -> Vec<u16> {
    let mut obj = shape;
    for name in route {
        let Some((_, i)) = slot_of(obj, name) else {
            return Vec::new();
        };
        let Some(next) = obj.fields.get_mut(i).and_then(|f| object_in(&mut f.ty)) else {
            return Vec::new();
        };
        obj = next;
    }
    let mut slots = Vec::with_capacity(names.len());
    for (k, name) in names.iter().enumerate() {
        let Some((slot, i)) = slot_of(obj, name) else {
            break;
        };
        slots.push(slot);
        if k + 1 == names.len() {
            break;
        }
        let Some(next) = obj.fields.get_mut(i).and_then(|f| match &mut f.ty {
            ShapeTy::Object(o) => Some(o),
            _ => None,
        }) else {
            break;
        };
        obj = next;
    }
    slots
}
