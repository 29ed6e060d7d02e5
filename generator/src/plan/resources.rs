//! The resource tree: tags become nested handles (`client.dedicated().image()`), operations
//! become their methods.

use std::collections::BTreeMap;

use crate::ir::*;

/// A node of the resource tree: handles for tags, methods for operations.
#[derive(Default)]
pub struct ResourceNode<'a> {
    pub children: BTreeMap<String, ResourceNode<'a>>,
    pub child_order: Vec<String>,
    pub operations: Vec<&'a Operation>,
}

pub fn resource_tree(api: &Api) -> ResourceNode<'_> {
    let mut root = ResourceNode::default();
    for op in api.operations.iter().filter(|o| !o.ignored) {
        let mut node = &mut root;
        for segment in &op.resource {
            if !node.children.contains_key(segment) {
                node.child_order.push(segment.clone());
            }
            node = node.children.entry(segment.clone()).or_default();
        }
        node.operations.push(op);
    }
    root
}

/// The handle type of a resource path: through the one type-name sanitiser, so a tag such
/// as `Self` names `SelfType`, never the keyword.
pub fn handle_name(path: &[String]) -> String {
    crate::lower::type_name_ident(&path.join(" "))
}
