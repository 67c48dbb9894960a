/**
 * `where x in ()` is a syntax error on both databases; Kysely emits it for an empty array. This
 * plugin rewrites `in` over an empty list to a false condition (and `not in` to a true one), so
 * no caller can build one — whatever the input (issue 10, item 6).
 */
import {
  BinaryOperationNode,
  OperationNodeTransformer,
  OperatorNode,
  PrimitiveValueListNode,
  ValueListNode,
  ValueNode,
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RootOperationNode,
  type UnknownRow,
} from 'kysely';

class EmptyInTransformer extends OperationNodeTransformer {
  protected override transformBinaryOperation(node: BinaryOperationNode): BinaryOperationNode {
    const operator = OperatorNode.is(node.operator) ? node.operator.operator : null;
    const right = node.rightOperand;
    const empty = (PrimitiveValueListNode.is(right) || ValueListNode.is(right)) && right.values.length === 0;
    if (empty && (operator === 'in' || operator === 'not in')) {
      return BinaryOperationNode.create(ValueNode.createImmediate(1), OperatorNode.create('='), ValueNode.createImmediate(operator === 'in' ? 0 : 1));
    }
    return super.transformBinaryOperation(node);
  }
}

// Kinds that hold no list below them: most of a tree (names, references, values) ends in one.
// A value is a parameter (it may be a large Buffer), never a part of the tree.
const LEAVES = new Set(['ValueNode', 'PrimitiveValueListNode', 'IdentifierNode', 'ColumnNode', 'TableNode', 'SchemableIdentifierNode', 'ReferenceNode', 'OperatorNode', 'DefaultInsertValueNode', 'LimitNode', 'OffsetNode']);

/**
 * Whether a query tree holds an empty value list anywhere. A plain walk that copies nothing: the
 * transformer rebuilds every node of every query, which cost more than compiling the query, and
 * almost no query needs it.
 */
function containsEmptyList(node: unknown): boolean {
  if (node === null || typeof node !== 'object') return false;
  if (Array.isArray(node)) return node.some((item) => item !== null && typeof item === 'object' && containsEmptyList(item));
  const fields = node as { kind?: string; values?: unknown[] } & Record<string, unknown>;
  if (fields.kind === 'PrimitiveValueListNode' || fields.kind === 'ValueListNode') {
    if (fields.values!.length === 0) return true;
  }
  if (fields.kind !== undefined && LEAVES.has(fields.kind)) return false;
  for (const key in fields) {
    const child = fields[key];
    if (child !== null && typeof child === 'object' && containsEmptyList(child)) return true;
  }
  return false;
}

export class EmptyInPlugin implements KyselyPlugin {
  private readonly transformer = new EmptyInTransformer();
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return containsEmptyList(args.node) ? this.transformer.transformNode(args.node) : args.node;
  }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}
