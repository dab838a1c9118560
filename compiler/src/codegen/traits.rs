//! Which traits each generated type can derive, and which Rust collection each `set` and `map`
//! becomes. Both depend on each other through structs (a struct is `Hash` only if its sets are
//! not `HashSet`s, a set of structs is a `HashSet` only if the struct is `Hash`), so struct
//! traits are the greatest fixpoint: assume everything, then withdraw until nothing changes.

use crate::config::{Collections, Config};
use crate::ir::{BaseType, Field, Program, Requiredness, Struct, StructKind, Type};

/// What a type supports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[expect(
    clippy::struct_excessive_bools,
    reason = "four independent facts about one type"
)]
pub(crate) struct Traits {
    /// `Eq` (everything but `f64` and what holds one).
    pub(crate) eq: bool,
    /// `Hash`.
    pub(crate) hash: bool,
    /// `Ord` (needed for `BTreeSet` elements and `BTreeMap` keys).
    pub(crate) ord: bool,
    /// `Default` with a meaningful value.
    pub(crate) default: bool,
}

impl Traits {
    const ALL: Traits = Traits {
        eq: true,
        hash: true,
        ord: true,
        default: true,
    };
    const NONE: Traits = Traits {
        eq: false,
        hash: false,
        ord: false,
        default: false,
    };

    fn and(self, other: Traits) -> Traits {
        Traits {
            eq: self.eq && other.eq,
            hash: self.hash && other.hash,
            ord: self.ord && other.ord,
            default: self.default && other.default,
        }
    }
}

/// The Rust collection behind a `set` or `map`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Collection {
    /// `HashSet` / `HashMap`.
    Hash,
    /// `BTreeSet` / `BTreeMap`.
    BTree,
    /// The runtime's `VecSet<T>` / `VecMap<K, V>` (lists in wire order), for elements that can
    /// be neither hashed nor ordered (`set<double>`): nothing is lost.
    Vec,
}

/// How a field is held.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Shape {
    /// In an `Option`: `optional`, or a default-requiredness field with no value to default to.
    pub(crate) optional: bool,
    /// In a `Box` (recursive types).
    pub(crate) boxed: bool,
}

/// The derivable traits of every struct, for one configuration.
pub(crate) struct Analysis<'a> {
    program: &'a Program,
    config: &'a Config,
    structs: Vec<Traits>,
}

impl<'a> Analysis<'a> {
    pub(crate) fn new(program: &'a Program, config: &'a Config) -> Self {
        let mut analysis = Analysis {
            program,
            config,
            structs: vec![Traits::ALL; program.structs.len()],
        };
        loop {
            let next: Vec<Traits> = program
                .structs
                .iter()
                .map(|s| analysis.struct_traits(s))
                .collect();
            if next == analysis.structs {
                return analysis;
            }
            analysis.structs = next;
        }
    }

    fn struct_traits(&self, s: &Struct) -> Traits {
        let fields = s.fields.iter().fold(Traits::ALL, |acc, f| {
            let shape = self.shape(f);
            let mut t = self.of(&f.ty);
            t.default = shape.optional || f.default.is_some() || (t.default && !shape.boxed);
            acc.and(t)
        });
        Traits {
            default: fields.default && s.kind != StructKind::Union,
            ..fields
        }
    }

    /// What values of `ty` support.
    pub(crate) fn of(&self, ty: &Type) -> Traits {
        match self.program.underlying(ty) {
            Type::Base(BaseType::Double) => Traits {
                default: true,
                ..Traits::NONE
            },
            Type::Base(_) | Type::Enum(_) => Traits::ALL,
            Type::List(t) => self.of(t),
            Type::Set(t) => container(self.collection(t), self.of(t)),
            Type::Map(k, v) => {
                let entries = self.of(k).and(self.of(v));
                match self.collection(k) {
                    Collection::BTree => self.of(v),
                    other => container(other, entries),
                }
            }
            Type::Struct(id) => self.structs[id.index()],
            Type::Typedef(_) | Type::Unresolved => Traits::NONE,
        }
    }
}

/// What a set or map held in `collection` supports, given what its entries support.
fn container(collection: Collection, elements: Traits) -> Traits {
    match collection {
        Collection::Hash => Traits {
            eq: elements.eq,
            default: true,
            ..Traits::NONE
        },
        Collection::BTree | Collection::Vec => Traits {
            default: true,
            ..elements
        },
    }
}

impl Analysis<'_> {
    /// The collection for a set of `element`s or a map keyed by `element`.
    pub(crate) fn collection(&self, element: &Type) -> Collection {
        let t = self.of(element);
        let hash = t.eq && t.hash;
        if self.config.collections == Collections::BTree && t.ord {
            Collection::BTree
        } else if hash {
            Collection::Hash
        } else if t.ord {
            Collection::BTree
        } else {
            Collection::Vec
        }
    }

    /// How a struct field is held.
    pub(crate) fn shape(&self, field: &Field) -> Shape {
        let optional = match field.requiredness {
            Requiredness::Optional => true,
            Requiredness::Required => false,
            Requiredness::Default => {
                field.default.is_none() && (field.boxed || !self.of(&field.ty).default)
            }
        };
        Shape {
            optional,
            boxed: field.boxed,
        }
    }

    /// The traits of a struct.
    pub(crate) fn of_struct(&self, id: crate::ir::StructId) -> Traits {
        self.structs[id.index()]
    }
}
