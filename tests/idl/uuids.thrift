/** uuid, which Apache 0.17 and thriftpy2 0.7 do not know. */
namespace rs uuids

struct Tagged {
  1: uuid id,
  2: optional uuid parent,
  3: set<uuid> members,
}

const uuid NIL_ID = "00000000-0000-0000-0000-000000000000"
const uuid SOME_ID = "{61626364-6566-6768-696a-6b6c6d6e6f70}"
