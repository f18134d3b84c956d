"""Lambda code of a conversation route: one package, deployed to two functions with different entry points.

- ``conversation_handler.handler.handler`` answers a user message (invoked asynchronously by
  ``sendMessage<Route>``);
- ``conversation_handler.cleanup.handler`` deletes the messages of deleted conversations (DynamoDB stream
  trigger).

They ship as one archive because the route's component deploys both from one code path; neither entry
point imports the other's modules, so each function loads only what it runs.
"""
