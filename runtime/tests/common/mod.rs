//! What the runtime's integration tests share.

use thrift_bidi::protocol::{ProtocolError, Reader, TType, Writer};
use thrift_bidi::value::Value;

/// A struct of one `i64` field with id `ID`: the args `{1: i64}` and the result `{0: i64}`.
#[derive(Debug, PartialEq)]
pub(crate) struct One<const ID: i16>(pub(crate) i64);

impl<const ID: i16> Value for One<ID> {
    const TTYPE: TType = TType::Struct;
    fn write<W: Writer>(&self, w: &mut W) {
        w.write_struct_begin();
        w.write_field_begin(TType::I64, ID);
        w.write_i64(self.0);
        w.write_field_end();
        w.write_field_stop();
        w.write_struct_end();
    }
    fn read<R: Reader>(r: &mut R) -> Result<Self, ProtocolError> {
        let mut value = 0;
        r.read_struct_begin()?;
        while let Some((ty, id)) = r.read_field_begin()? {
            match (id, ty) {
                (i, TType::I64) if i == ID => value = r.read_i64()?,
                _ => r.skip(ty)?,
            }
            r.read_field_end()?;
        }
        r.read_struct_end()?;
        Ok(Self(value))
    }
}
