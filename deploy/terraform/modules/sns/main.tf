# The topic SES notifies for every received message. Only SES in this account may publish; the
# HTTPS subscription to Inboxd's webhook is made at the root, once the api tier serves.

# Not encrypted with the AWS-managed SNS key: its key policy does not let SES publish. Messages
# are in transit for seconds and the subscription is HTTPS only.
resource "aws_sns_topic" "inbound" {
  name = "${var.name}-inbound-mail"
  # v2 = SHA256withRSA signatures, which Inboxd verifies (it also accepts v1)
  signature_version = 2
}

data "aws_iam_policy_document" "topic" {
  statement {
    sid       = "AllowSESPublishFromThisAccount"
    effect    = "Allow"
    actions   = ["SNS:Publish"]
    resources = [aws_sns_topic.inbound.arn]

    principals {
      type        = "Service"
      identifiers = ["ses.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "AWS:SourceAccount"
      values   = [var.account_id]
    }
  }
}

resource "aws_sns_topic_policy" "inbound" {
  arn    = aws_sns_topic.inbound.arn
  policy = data.aws_iam_policy_document.topic.json
}
