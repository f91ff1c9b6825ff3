# SES receiving for the mail domain: identity with DKIM (records in Route 53), the MX record that
# sends the domain's mail to SES, and the receipt rule: spam and virus scan on, the raw message
# written to S3 (any size) with a notification to the SNS topic, which posts to Inboxd's webhook.
# An optional SNS action (Base64) inlines small messages, at the cost of bouncing anything over
# 150 KB: SES refuses larger content on an SNS action.

locals {
  ses_inbound_endpoint = "inbound-smtp.${var.aws_region}.amazonaws.com"
}

resource "aws_ses_domain_identity" "this" {
  domain = var.domain
}

resource "aws_route53_record" "verification" {
  zone_id = var.zone_id
  name    = "_amazonses.${var.domain}"
  type    = "TXT"
  ttl     = 600
  records = [aws_ses_domain_identity.this.verification_token]
}

resource "aws_ses_domain_identity_verification" "this" {
  domain = aws_ses_domain_identity.this.id

  depends_on = [aws_route53_record.verification]
}

resource "aws_ses_domain_dkim" "this" {
  domain = aws_ses_domain_identity.this.domain
}

resource "aws_route53_record" "dkim" {
  count = 3

  zone_id = var.zone_id
  name    = "${aws_ses_domain_dkim.this.dkim_tokens[count.index]}._domainkey.${var.domain}"
  type    = "CNAME"
  ttl     = 600
  records = ["${aws_ses_domain_dkim.this.dkim_tokens[count.index]}.dkim.amazonses.com"]
}

resource "aws_route53_record" "mx" {
  zone_id = var.zone_id
  name    = var.domain
  type    = "MX"
  ttl     = 300
  records = ["10 ${local.ses_inbound_endpoint}"]
}

resource "aws_ses_receipt_rule_set" "this" {
  rule_set_name = "${var.name}-inbound"
}

# only one rule set is active per account and region: this replaces any other
resource "aws_ses_active_receipt_rule_set" "this" {
  rule_set_name = aws_ses_receipt_rule_set.this.rule_set_name
}

resource "aws_ses_receipt_rule" "inbound" {
  name          = "${var.name}-deliver"
  rule_set_name = aws_ses_receipt_rule_set.this.rule_set_name
  recipients    = [var.domain]
  enabled       = true
  scan_enabled  = true
  tls_policy    = var.tls_policy

  s3_action {
    bucket_name       = var.bucket_name
    object_key_prefix = var.object_key_prefix
    topic_arn         = var.sns_topic_arn
    position          = 1
  }

  dynamic "sns_action" {
    for_each = var.inline_sns_action ? [1] : []

    content {
      topic_arn = var.sns_topic_arn
      encoding  = "Base64"
      position  = 2
    }
  }

  depends_on = [aws_ses_domain_identity_verification.this]
}

# A custom MAIL FROM domain (bounce.<domain>) so mail SES sends for the domain passes SPF alignment
# under our own name, not amazonses.com: its MX takes SES's bounce feedback, its SPF names SES.
resource "aws_ses_domain_mail_from" "this" {
  domain           = aws_ses_domain_identity.this.domain
  mail_from_domain = "${var.mail_from_subdomain}.${var.domain}"
}

resource "aws_route53_record" "mail_from_mx" {
  zone_id = var.zone_id
  name    = aws_ses_domain_mail_from.this.mail_from_domain
  type    = "MX"
  ttl     = 600
  records = ["10 feedback-smtp.${var.aws_region}.amazonses.com"]
}

resource "aws_route53_record" "mail_from_spf" {
  zone_id = var.zone_id
  name    = aws_ses_domain_mail_from.this.mail_from_domain
  type    = "TXT"
  ttl     = 600
  records = ["v=spf1 include:amazonses.com -all"]
}
