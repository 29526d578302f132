import derived from './sagemaker-model.json';

/** One shape of the SageMaker API model, reduced to what request validation needs. */
export interface ShapeModel {
  type: string;
  required?: string[];
  members?: Record<string, string>;
  member?: string;
  min?: number;
  max?: number;
  pattern?: string;
  enum?: string[];
  exception?: boolean;
}

export interface OperationModel {
  input: string | null;
  output: string | null;
  errors: string[];
}

export interface ApiModel {
  targetPrefix: string;
  operations: Record<string, OperationModel>;
  shapes: Record<string, ShapeModel>;
}

/** The derived SageMaker model committed in `local/api/sagemaker-model.json`. */
export const apiModel: ApiModel = derived as ApiModel;
