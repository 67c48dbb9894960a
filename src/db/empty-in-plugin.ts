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

export class EmptyInPlugin implements KyselyPlugin {
  private readonly transformer = new EmptyInTransformer();
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return this.transformer.transformNode(args.node);
  }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}
