import { Schema, model, type HydratedDocument, type InferSchemaType } from "mongoose";
import { URL_RE } from "./enums";
import {
  MAX,
  dayField,
  externalIdField,
  optionalRefField,
  refField,
  schoolIdField,
  uniqueExternalId,
} from "./fields";

/** Homework of a class (or of one of its groups); collection `homework`. */
export const homeworkSchema = new Schema(
  {
    schoolId: schoolIdField(),
    externalId: externalIdField(),
    classId: refField("SchoolClass"),
    groupId: optionalRefField("Group"),
    subjectId: refField("Subject"),
    assignedOn: dayField(),
    dueOn: dayField(),
    text: { type: String, required: true, trim: true, maxlength: MAX.text },
    links: {
      type: [{ type: String, trim: true, maxlength: MAX.url, match: URL_RE }],
      default: () => [],
      validate: { validator: (links: string[]) => links.length <= 20, message: "at most 20 links" },
    },
  },
  { collection: "homework", timestamps: true },
);

uniqueExternalId(homeworkSchema);
homeworkSchema.index({ schoolId: 1, classId: 1, dueOn: 1 });

export const Homework = model("Homework", homeworkSchema);
export type Homework = InferSchemaType<typeof homeworkSchema>;
export type HomeworkDocument = HydratedDocument<Homework>;
export type HomeworkModel = typeof Homework;
