import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { RegistrationEmail, Template } from '../../domain/controlpanel/templates';
import { NotFoundError } from '../../domain/errors';
import type { SettingsRepository, TemplateFields, TemplateRepository } from '../../ports/controlpanel';
import type { Message } from '../../ports/message-log';
import type { Page, PageRequest } from '../../ports/page';
import { keys } from './keys';
import { queryPage } from './query-page';
import { messageItem } from './message-log';
import { unitOfWork } from './unit-of-work';

export function toTemplate(item: Record<string, unknown>): Template {
  const t: Template = {
    id: item.id as string,
    name: item.name as string,
    limits: item.limits as Template['limits'],
    services: item.services as Template['services'],
    createdAt: item.createdAt as string,
    updatedAt: item.updatedAt as string,
  };
  if (item.registrationEmail) t.registrationEmail = item.registrationEmail as RegistrationEmail;
  return t;
}

export class DynamoTemplateRepository implements TemplateRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(resellerId: string, template: Template, message: Message): Promise<void> {
    await unitOfWork(this.db).run([
      {
        Put: {
          TableName: this.tableName,
          Item: { ...keys.template(resellerId, template.id), type: 'template', ...template },
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      },
      { Put: { TableName: this.tableName, Item: messageItem(resellerId, message) } },
    ]);
  }

  async update(resellerId: string, templateId: string, fields: TemplateFields, message: Message): Promise<void> {
    const entries = Object.entries(fields).filter(([, v]) => v !== undefined);
    const names = Object.fromEntries(entries.map(([k], i) => [`#f${i}`, k]));
    const values = Object.fromEntries(entries.map(([, v], i) => [`:v${i}`, v]));
    await unitOfWork(this.db).run([
      {
        Update: {
          TableName: this.tableName,
          Key: keys.template(resellerId, templateId),
          UpdateExpression: `SET ${entries.map((_, i) => `#f${i} = :v${i}`).join(', ')}`,
          ConditionExpression: 'attribute_exists(PK)',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        },
        onConditionFailed: new NotFoundError('template not found'),
      },
      { Put: { TableName: this.tableName, Item: messageItem(resellerId, message) } },
    ]);
  }

  async get(resellerId: string, templateId: string): Promise<Template | undefined> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: keys.template(resellerId, templateId), ConsistentRead: true }),
    );
    return out.Item ? toTemplate(out.Item) : undefined;
  }

  async list(resellerId: string, page: PageRequest): Promise<Page<Template>> {
    return queryPage(this.db, this.tableName, { partition: keys.partitionOf(resellerId), prefix: keys.templatePrefix, page, map: toTemplate });
  }

  async delete(resellerId: string, templateId: string, message: Message): Promise<boolean> {
    try {
      await unitOfWork(this.db).run([
        {
          Delete: { TableName: this.tableName, Key: keys.template(resellerId, templateId), ConditionExpression: 'attribute_exists(PK)' },
          onConditionFailed: new NotFoundError('template not found'),
        },
        { Put: { TableName: this.tableName, Item: messageItem(resellerId, message) } },
      ]);
      return true;
    } catch (e) {
      if (e instanceof NotFoundError) return false;
      throw e;
    }
  }
}

export class DynamoSettingsRepository implements SettingsRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  private async getSetting(resellerId: string, name: string) {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.setting(resellerId, name) }));
    return out.Item;
  }

  private async putSetting(resellerId: string, name: string, value: Record<string, unknown>) {
    await this.db.send(
      new PutCommand({ TableName: this.tableName, Item: { ...keys.setting(resellerId, name), type: 'setting', ...value } }),
    );
  }

  async getDefaultRegistrationEmail(resellerId: string): Promise<RegistrationEmail | undefined> {
    const item = await this.getSetting(resellerId, 'registration-email');
    return item ? { subject: item.subject, text: item.text } : undefined;
  }

  putDefaultRegistrationEmail(resellerId: string, email: RegistrationEmail): Promise<void> {
    return this.putSetting(resellerId, 'registration-email', { subject: email.subject, text: email.text });
  }

  async getFreeFieldLabels(resellerId: string): Promise<Record<string, string>> {
    const item = await this.getSetting(resellerId, 'free-field-labels');
    return (item?.labels as Record<string, string>) ?? {};
  }

  putFreeFieldLabels(resellerId: string, labels: Record<string, string>): Promise<void> {
    return this.putSetting(resellerId, 'free-field-labels', { labels });
  }
}


